from django import template

from .. import cards
from ..selectors import guardrail_detail_team_ids_for, sees_guardrail_detail

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_guardrail_detail(context, decision) -> bool:
    """`{% shows_guardrail_detail decision as detail %}`: may the reader see where this story stands against the
    guardrails, beyond "Covered"? The teams the reader oversees are read once per request, whatever the page."""
    request = context["request"]
    team_ids = guardrail_detail_team_ids_for(request)
    return sees_guardrail_detail(user=request.user, decision=decision, team_ids=team_ids)


@register.simple_tag(takes_context=True)
def story_cards(context, stories) -> list:
    """`{% story_cards page.stories as cards %}`: each story's card, from the cache or written (see cards.py)."""
    return cards.story_cards(context, stories)
