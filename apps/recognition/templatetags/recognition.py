from django import template

from ..emails import notification_link
from ..selectors import (
    DecisionPanel,
    SharedLesson,
    decision_panel_context,
    shared_lessons_by_category,
)
from ..selectors import story_url as _story_url

register = template.Library()


@register.simple_tag(takes_context=True)
def recognition_panel_for(context, decision) -> DecisionPanel:
    """The panel for `decision`: the one the view prepared (`decision_panel_context`), or computed here, so that a
    decision page needs nothing but `{% include "recognition/includes/decision_panel.html" %}`."""
    panel = context.get("recognition_panel")
    if isinstance(panel, DecisionPanel) and panel.decision.pk == decision.pk:
        return panel
    return decision_panel_context(decision=decision, viewer=context["request"].user)["recognition_panel"]


@register.filter
def story_url(decision) -> str:
    return _story_url(decision)


@register.filter
def notification_url(notification) -> str:
    return notification_link(notification)


@register.simple_tag(takes_context=True)
def shared_lessons_for(context, category) -> list[SharedLesson]:
    """The shared lessons of one category; all categories' are read once per request."""
    request = context["request"]
    if not hasattr(request, "_recognition_shared_lessons"):
        request._recognition_shared_lessons = shared_lessons_by_category()
    return request._recognition_shared_lessons.get(category.pk, [])
