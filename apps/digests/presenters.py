"""Turn a digest's stored content into what a reader sees, in the active language (web page and emails alike)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext, pgettext

from apps.core.templatetags.leeway import money
from apps.decisions.models import Channel, Outcome
from apps.decisions.selectors import story_path
from apps.leaderboards.models import BADGE_DESCRIPTIONS, Badge
from apps.leaderboards.periods import week_title

from .content import has_news
from .models import Digest


def _label(names: dict | None) -> str:
    if not names:
        return ""
    return names.get((get_language() or "en")[:2]) or names.get("en", "")


def _story(story: dict) -> dict:
    return {
        **story,
        "category_label": _label(story["category"]),
        "channel_label": Channel(story["channel"]).label if story["channel"] in Channel.values else story["channel"],
        "outcome_label": Outcome(story["outcome"]).label if story["outcome"] in Outcome.values else "",
        "path": story_path(story["id"]),
    }


def _badges_by_person(awards: list[dict]) -> list[dict]:
    people: dict[int, dict] = {}
    for award in awards:
        badge = Badge(award["badge"])
        person = people.setdefault(award["person_id"], {"name": award["name"], "badges": []})
        person["badges"].append({"label": badge.label, "description": BADGE_DESCRIPTIONS[badge]})
    return list(people.values())


def present(digest: Digest) -> dict:
    """The digest's sections, labelled in the active language."""
    content = digest.content or {}
    numbers = content.get("numbers") or {}
    currency = numbers.get("currency", "USD")
    return {
        "celebrated": [_story(s) for s in content.get("celebrated", [])],
        "most_endorsed": [_story(s) for s in content.get("most_endorsed", [])],
        "first_stories": [_story(s) for s in content.get("first_stories", [])],
        "trust": [
            {
                **t,
                "category_label": _label(t.get("category")),
                "raised_limit_label": money(t["raised_limit"], currency) if t.get("raised_limit") else "",
            }
            for t in content.get("trust", [])
        ],
        "leaders": content.get("leaders", []),
        "top_teams": content.get("top_teams", []),
        "spotlight": [{**person, "summary": spotlight_summary(person)} for person in content.get("spotlight", [])],
        "badges": _badges_by_person(content.get("badges", [])),
        "numbers": {
            **numbers,
            "cost_label": money(numbers.get("cost"), currency),
            "value_kept_label": money(numbers.get("value_kept"), currency),
            # No story logged, no share: a dash rather than a misleading 0%.
            "covered_label": "—" if numbers.get("covered_percent") is None else f"{numbers['covered_percent']}%",
        },
        "has_news": has_news(content),
    }


def spotlight_summary(person: dict) -> str:
    """What put someone in the spotlight, leaving out what is zero."""
    parts = []
    if person.get("stories"):
        parts.append(
            ngettext("%(count)s story approved", "%(count)s stories approved", person["stories"])
            % {"count": person["stories"]}
        )
    if person.get("celebrations"):
        parts.append(
            ngettext("%(count)s celebrated", "%(count)s celebrated", person["celebrations"])
            % {"count": person["celebrations"]}
        )
    if person.get("colleagues"):
        parts.append(
            ngettext("endorsed by %(count)s colleague", "endorsed by %(count)s colleagues", person["colleagues"])
            % {"count": person["colleagues"]}
        )
    return " · ".join(parts)


def personal_line(personal: dict, situation: dict | None = None, *, week: int | None = None) -> list[str]:
    """The recipient's own sentences, most personal first. Never about money, never about a review.

    `situation` (`selectors.reader_situation`) makes the words fit the reader: someone whose story still waits for a
    manager hears that it is not forgotten (not "log a story next time"), a manager hears about their queue, and an
    admin or a director, who logs no stories, is not asked to."""
    lines = []
    endorsements, colleagues = personal.get("endorsements", 0), personal.get("colleagues", 0)
    if endorsements and colleagues == 1:
        lines.append(
            ngettext(
                "Your stories were endorsed once by one colleague this week.",
                "Your stories were endorsed %(count)s times by one colleague this week.",
                endorsements,
            )
            % {"count": endorsements}
        )
    elif endorsements:
        lines.append(
            gettext("Your stories were endorsed %(count)s times by %(people)s colleagues this week.")
            % {"count": endorsements, "people": colleagues}
        )
    if approved := personal.get("approved", 0):
        lines.append(
            ngettext(
                "A manager approved one of your stories.",
                "Managers approved %(count)s of your stories.",
                approved,
            )
            % {"count": approved}
        )
    if celebrated := personal.get("celebrated", 0):
        lines.append(
            ngettext(
                "One of your stories was celebrated: well done!",
                "%(count)s of your stories were celebrated: well done!",
                celebrated,
            )
            % {"count": celebrated}
        )
    if personal.get("rank") and week:
        # The rank of the week's own leaderboard (its "Week N" shows the same number for this person).
        lines.append(
            ngettext(
                "You are number %(rank)s on the whole organisation's leaderboard of week %(week)s, with %(points)s "
                "point.",
                "You are number %(rank)s on the whole organisation's leaderboard of week %(week)s, with %(points)s "
                "points.",
                personal["points"],
            )
            % {"rank": personal["rank"], "week": week, "points": personal["points"]}
        )
    approved_given, celebrated_given = personal.get("approved_given", 0), personal.get("celebrated_given", 0)
    if approved_given or celebrated_given:
        lines.append(
            gettext(
                "You approved %(approved)s stories and celebrated %(celebrated)s this week. "
                "Thank you for noticing good calls."
            )
            % {"approved": approved_given, "celebrated": celebrated_given}
        )
    if offers := personal.get("autonomy_offers", 0):
        lines.append(
            ngettext(
                "%(count)s person in your teams has earned a raised limit: a ready-made trust statement waits for you "
                "in Insights, under Earned autonomy.",
                "%(count)s people in your teams have earned a raised limit: ready-made trust statements wait for you "
                "in Insights, under Earned autonomy.",
                offers,
            )
            % {"count": offers}
        )
    situation = situation or {"role": "agent"}
    if waiting := situation.get("waiting", 0):
        # A day and a month as each language writes it ("4 June", "4 de junio", "4 juni"): a format to translate.
        since = date_format(
            timezone.localtime(situation["waiting_since"]), pgettext("day and month of a waiting story", "j F")
        )
        lines.append(
            ngettext(
                "Your story of %(date)s is still waiting for a manager. It has not been forgotten: your team's "
                "managers are reminded of it until one of them has looked at it.",
                "%(count)s of your stories are still waiting for a manager, the oldest since %(date)s. They have not "
                "been forgotten: your team's managers are reminded of them until one of them has looked.",
                waiting,
            )
            % {"count": waiting, "date": since}
        )
    if queue := situation.get("queue", 0):
        lines.append(
            ngettext(
                "%(count)s story from your teams is waiting for you to approve it, celebrate it or return it.",
                "%(count)s stories from your teams are waiting for you to approve them, celebrate them or return them.",
                queue,
            )
            % {"count": queue}
        )
    if not lines:
        role = situation.get("role", "agent")
        if role == "agent":
            lines.append(
                gettext(
                    "The next time you decide something for a customer on your own, log the story: "
                    "your colleagues will see it and can endorse it."
                )
            )
        elif role == "manager":
            lines.append(
                gettext(
                    "When someone in your teams logs a good call, approving or celebrating it is the quickest way "
                    "to show them you noticed."
                )
            )
        else:
            lines.append(gettext("Here are the good calls people made for customers this week."))
    return lines


def edition_title(edition) -> str:
    """The week's name, as the leaderboards and insights give it: "Week 47 · 16 Nov – 22 Nov 2026"."""
    return week_title(edition.week_start)
