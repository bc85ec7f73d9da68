"""What a week's digests say, for every team, department and the organisation at once, in a fixed number of queries.

The content is stored as plain data on each Digest (names, texts, numbers, codes), so a digest reads the same later,
on the page and in every recipient's email. Labels that depend on the reader's language (categories, channels,
badges) are stored as codes or as all their translations and resolved when shown (see presenters.py).
Nothing here ever reads a review, and cost appears only as the team's total invested in customers.
"""

import dataclasses
import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber

from apps.decisions.models import Decision, Outcome, TrustStatement
from apps.leaderboards import selectors as boards
from apps.leaderboards.models import Snapshot
from apps.org.models import Department, Membership, Organisation, Team
from apps.recognition.models import Endorsement

SHARED = Decision.SHARED_STATUSES
KEPT = [Outcome.RETAINED, Outcome.DELIGHTED]
MAX_STORIES = 12
MAX_MOST_ENDORSED = 5
MAX_TRUST = 10
TOP = 3
SPOTLIGHT_SIZE = 2
SPOTLIGHT_MEMORY = 3  # weeks during which someone featured is not featured again, if anyone else can be


def scope_key(scope: str, pk: int | None = None) -> str:
    return scope if pk is None else f"{scope}:{pk}"


@dataclasses.dataclass
class Structure:
    """The organisation's teams and departments, and for each team the scopes it belongs to."""

    organisation: Organisation
    departments: list[Department]
    teams: list[Team]

    def scopes_of_team(self, team_id: int) -> list[str]:
        team = next(t for t in self.teams if t.pk == team_id)
        return ["organisation", scope_key("department", team.department_id), scope_key("team", team_id)]

    def all_scopes(self) -> list[tuple[str, str, Department | Team | None]]:
        """(key, title, subject) for the organisation, each department and each team."""
        scopes = [("organisation", self.organisation.name, None)]
        scopes += [(scope_key("department", d.pk), d.name, d) for d in self.departments]
        scopes += [(scope_key("team", t.pk), t.name, t) for t in self.teams]
        return scopes


def load_structure(organisation: Organisation) -> Structure:
    return Structure(
        organisation=organisation,
        departments=list(Department.objects.order_by("name")),
        teams=list(Team.objects.order_by("name")),
    )


def _name(user) -> str:
    return user.display_name if user else ""


def _names(category) -> dict:
    return {"en": category.name, "es": category.name_es or category.name, "nl": category.name_nl or category.name}


def _story(decision: Decision, *, endorsements: int = 0) -> dict:
    return {
        "id": decision.pk,
        "author": _name(decision.author),
        "author_id": decision.author_id,
        "team": decision.team.name,
        "team_id": decision.team_id,
        "category": _names(decision.category),
        "channel": decision.channel,
        "outcome": decision.outcome,
        "action": decision.action,
        "situation": decision.situation[:280],
        "language": decision.language,
        "note": decision.celebration_note if decision.status == Decision.Status.CELEBRATED else "",
        "note_language": decision.celebrated_by.language if decision.celebrated_by else "",
        "celebrated_by": _name(decision.celebrated_by) if decision.status == Decision.Status.CELEBRATED else "",
        "endorsements": endorsements,
        "covered": decision.covered,
    }


def _period(field: str, start, end) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def build_contents(
    *, structure: Structure, start: datetime.datetime, end: datetime.datetime, snapshot: Snapshot, previous: list[dict]
) -> dict[str, dict]:
    """Every scope's content for [start, end). `previous` holds the last weeks' contents by scope, for the spotlight."""
    contents: dict[str, dict] = {
        key: {
            "celebrated": [],
            "most_endorsed": [],
            "first_stories": [],
            "trust": [],
            "leaders": [],
            "top_teams": [],
            "spotlight": [],
            "badges": [],
            "numbers": {},
        }
        for key, _title, _subject in structure.all_scopes()
    }
    team_scopes = {t.pk: structure.scopes_of_team(t.pk) for t in structure.teams}
    story_fields = ("author", "team", "category", "celebrated_by")
    endorsed_in_period = Count("endorsements", filter=_period("endorsements__created_at", start, end))

    celebrated_this_week = Q(status=Decision.Status.CELEBRATED) & _period("celebrated_at", start, end)
    celebrated = (
        Decision.objects.filter(celebrated_this_week)
        .select_related(*story_fields)
        .annotate(endorsed=endorsed_in_period)
        .order_by("celebrated_at", "pk")
    )
    for decision in celebrated:
        for key in team_scopes[decision.team_id]:
            contents[key]["celebrated"].append(_story(decision, endorsements=decision.endorsed))

    # Only the stories endorsed this week are counted (an index on the endorsements' time finds them), not every
    # story of the organisation's history.
    endorsed_this_week = Endorsement.objects.filter(_period("created_at", start, end)).values("decision_id")
    # Most endorsed first. Only each team's first few are read (ranked in SQL): a department's or the organisation's
    # first few are among their teams' (at 10,000 agents, 20,000 stories endorsed in a week were read to show a
    # thousand teams' five). The week's celebrated stories are told among the celebrations instead.
    most_endorsed_order = (F("endorsed").desc(), F("approved_at").asc(), F("pk").asc())
    most_endorsed = (
        Decision.objects.filter(status__in=SHARED, pk__in=endorsed_this_week)
        .exclude(celebrated_this_week)
        .annotate(endorsed=endorsed_in_period)
        .filter(endorsed__gt=0)
        .annotate(rank_in_team=Window(RowNumber(), partition_by=F("team_id"), order_by=most_endorsed_order))
        .filter(rank_in_team__lte=MAX_MOST_ENDORSED)
        .select_related(*story_fields)
        .order_by(*most_endorsed_order)
    )
    for decision in most_endorsed:
        for key in team_scopes[decision.team_id]:
            if len(contents[key]["most_endorsed"]) < MAX_MOST_ENDORSED:
                contents[key]["most_endorsed"].append(_story(decision, endorsements=decision.endorsed))

    earlier = Decision.objects.filter(author=OuterRef("author"), status__in=SHARED).filter(
        Q(approved_at__lt=OuterRef("approved_at")) | Q(approved_at=OuterRef("approved_at"), pk__lt=OuterRef("pk"))
    )
    firsts = (
        Decision.objects.filter(status__in=SHARED, author__is_active=True)
        .filter(_period("approved_at", start, end))
        .filter(~Exists(earlier))
        .select_related(*story_fields)
        .order_by("approved_at", "pk")
    )
    for decision in firsts:
        for key in team_scopes[decision.team_id]:
            contents[key]["first_stories"].append(_story(decision))

    # Only statements to a whole team travel: a digest is read by everyone, and a statement to one person (with its
    # raised limit) is private to them, their managers and department heads. They read it in the playbook.
    statements = (
        TrustStatement.objects.filter(_period("created_at", start, end), agent__isnull=True)
        .select_related("author", "team", "category")
        .order_by("created_at", "pk")
    )
    for statement in statements:
        item = {
            "id": statement.pk,
            "author": _name(statement.author),
            "team": statement.team.name,
            "text": statement.text,
            "language": statement.author.language,
            "category": _names(statement.category) if statement.category else None,
            "raised_limit": str(statement.raised_limit) if statement.raised_limit is not None else None,
        }
        for key in team_scopes[statement.team_id]:
            contents[key]["trust"].append(item)

    _add_numbers(contents, structure=structure, team_scopes=team_scopes, start=start, end=end)
    _add_leaders(contents, structure=structure, snapshot=snapshot, previous=previous)
    _add_badges(contents, team_scopes=team_scopes, start=start, end=end)
    for content in contents.values():
        for section, limit in (("celebrated", MAX_STORIES), ("first_stories", MAX_STORIES), ("trust", MAX_TRUST)):
            content[section] = content[section][:limit]
    return contents


def _add_numbers(contents, *, structure, team_scopes, start, end) -> None:
    """The week in numbers. Stories logged this week, the share of them inside the guardrails, what they invested and
    the customer value they kept — as insights count them, by the day they were logged — and beside them the stories
    approved and celebrated this week, which are the ones the digest tells (often logged the week before)."""
    logged = ~Q(status=Decision.Status.WITHDRAWN) & _period("created_at", start, end)
    approved = Q(status__in=SHARED) & _period("approved_at", start, end)
    celebrated = Q(status=Decision.Status.CELEBRATED) & _period("celebrated_at", start, end)
    per_team = (
        Decision.objects.filter(logged | approved | celebrated)
        .order_by()
        .values("team_id")
        .annotate(
            decisions=Count("pk", filter=logged),
            covered=Count("pk", filter=logged & Q(covered=True)),
            cost=Sum("cost", filter=logged),
            kept=Count("pk", filter=logged & Q(outcome__in=KEPT)),
            approved=Count("pk", filter=approved),
            celebrated=Count("pk", filter=celebrated),
        )
    )
    fields = ("decisions", "covered", "cost", "kept", "approved", "celebrated")
    totals = defaultdict(lambda: dict.fromkeys(fields, 0))
    for row in per_team:
        for key in team_scopes.get(row["team_id"], ["organisation"]):
            for field in fields:
                totals[key][field] += row[field] or 0
    org = structure.organisation
    for key, content in contents.items():
        numbers = totals[key]
        content["numbers"] = {
            "decisions": numbers["decisions"],
            "approved": numbers["approved"],
            "celebrated": numbers["celebrated"],
            "covered": numbers["covered"],
            "covered_percent": round(100 * numbers["covered"] / numbers["decisions"]) if numbers["decisions"] else None,
            "cost": str(Decimal(numbers["cost"])),
            "kept": numbers["kept"],
            "value_kept": str(numbers["kept"] * org.customer_lifetime_value),
            "currency": org.currency,
        }


def _add_leaders(contents, *, structure, snapshot, previous) -> None:
    """Top of the week's leaderboards and a spotlight that rotates: the same names do not lead it every week."""
    people = boards.rank(
        snapshot_id=snapshot.pk,
        board=boards.PEOPLE,
        scopes=(boards.ORGANISATION, boards.DEPARTMENT, boards.TEAM),
        limit=10,
    )
    teams = boards.rank(
        snapshot_id=snapshot.pk, board=boards.TEAMS, scopes=(boards.ORGANISATION, boards.DEPARTMENT), limit=TOP
    )
    candidates = defaultdict(list)
    for entry in people:
        key = "organisation" if entry.scope == boards.ORGANISATION else scope_key(entry.scope, entry.scope_id)
        if key not in contents:
            continue
        line = {
            "rank": entry.rank,
            "person_id": entry.person_id,
            "name": entry.name,
            "team": entry.team_name,
            "score": entry.score,
            "stories": entry.stories,
            "celebrations": entry.celebrations,
            "endorsements": entry.endorsements,
            "colleagues": entry.colleagues,
        }
        if entry.rank <= TOP:
            contents[key]["leaders"].append(line)
        candidates[key].append(line)
    for entry in teams:
        key = "organisation" if entry.scope == boards.ORGANISATION else scope_key(entry.scope, entry.scope_id)
        if key in contents:
            contents[key]["top_teams"].append({"rank": entry.rank, "name": entry.team_name, "score": entry.score})
    for key, lines in candidates.items():
        contents[key]["spotlight"] = spotlight(lines, featured=[p.get(key, []) for p in previous])


def spotlight(candidates: list[dict], *, featured: list[list[int]]) -> list[dict]:
    """Who the digest features: people with points this week, those not featured lately first.

    `featured` lists the person ids featured in each previous week, most recent first. Among people featured
    equally recently, breadth of recognition (different colleagues) comes before points.
    """

    def last_featured(person_id: int) -> int:
        for weeks_ago, ids in enumerate(featured):
            if person_id in ids:
                return weeks_ago
        return len(featured) + 1  # never, or longer ago than we remember

    ordered = sorted(
        candidates,
        key=lambda c: (-min(last_featured(c["person_id"]), SPOTLIGHT_MEMORY), -c["colleagues"], -c["score"], c["name"]),
    )
    return ordered[:SPOTLIGHT_SIZE]


def _add_badges(contents, *, team_scopes, start, end) -> None:
    awards = list(boards.badges_awarded_between(start=start, end=end))
    teams_of = defaultdict(list)
    for user_id, team_id in Membership.objects.filter(
        user_id__in={a.user_id for a in awards}, role=Membership.Role.AGENT
    ).values_list("user_id", "team_id"):
        teams_of[user_id].append(team_id)
    for award in awards:
        scopes = {"organisation"}
        for team_id in teams_of[award.user_id]:
            scopes.update(team_scopes.get(team_id, []))
        for key in scopes:
            contents[key]["badges"].append(
                {"person_id": award.user_id, "name": _name(award.user), "badge": award.badge}
            )


def has_news(content: dict) -> bool:
    return any(content.get(section) for section in ("celebrated", "most_endorsed", "first_stories", "trust", "badges"))


def personal_numbers(*, user_ids, start, end, snapshot: Snapshot) -> dict[int, dict]:
    """For each recipient, the numbers of their personal line (a fixed number of queries for any number of people)."""
    personal = defaultdict(
        lambda: {
            "endorsements": 0,
            "colleagues": 0,
            "approved": 0,
            "celebrated": 0,
            "approved_given": 0,
            "celebrated_given": 0,
            "rank": None,
            "points": 0,
        }
    )
    ids = set(user_ids)
    if not ids:
        return {}
    received = (
        Endorsement.objects.filter(decision_author_id__in=ids)
        .filter(_period("created_at", start, end))
        .exclude(decision__status=Decision.Status.WITHDRAWN)
        .order_by()
        .values("decision_author_id")
        .annotate(n=Count("pk"), people=Count("endorser_id", distinct=True))
    )
    for row in received:
        personal[row["decision_author_id"]].update(endorsements=row["n"], colleagues=row["people"])
    stories = (
        Decision.objects.filter(author_id__in=ids, status__in=SHARED)
        .filter(_period("approved_at", start, end) | _period("celebrated_at", start, end))
        .order_by()
        .values("author_id")
        .annotate(
            approved=Count("pk", filter=_period("approved_at", start, end)),
            celebrated=Count("pk", filter=Q(status=Decision.Status.CELEBRATED) & _period("celebrated_at", start, end)),
        )
    )
    for row in stories:
        personal[row["author_id"]].update(approved=row["approved"], celebrated=row["celebrated"])
    given = Decision.objects.filter(status__in=SHARED).filter(
        Q(approved_by_id__in=ids, approved_at__gte=start, approved_at__lt=end)
        | Q(celebrated_by_id__in=ids, celebrated_at__gte=start, celebrated_at__lt=end)
    )
    for approved_by, celebrated_by, status, approved_at, celebrated_at in given.values_list(
        "approved_by_id", "celebrated_by_id", "status", "approved_at", "celebrated_at"
    ):
        if approved_by in ids and start <= approved_at < end:
            personal[approved_by]["approved_given"] += 1
        if status == Decision.Status.CELEBRATED and celebrated_by in ids and start <= celebrated_at < end:
            personal[celebrated_by]["celebrated_given"] += 1
    board = {"snapshot_id": snapshot.pk, "board": boards.PEOPLE, "standings": snapshot.has_standings}
    if len(ids) == 1:  # one person (the admins' preview): their own line, not the whole board's
        board.update(limit=0, also_person=next(iter(ids)))
    for entry in boards.rank(**board):
        if entry.person_id in ids:
            personal[entry.person_id].update(rank=entry.rank, points=entry.score)
    _add_autonomy_offers(personal, ids=ids, end=end)
    return {user_id: dict(personal[user_id]) for user_id in ids}


def _add_autonomy_offers(personal, *, ids, end) -> None:
    """Managers among the recipients learn how many of their agents have earned a raised limit (the insights page
    holds the ready-made trust statements). Nothing is said to the agents. One query; two more with managers."""
    from apps.insights.selectors import autonomy_offers  # the insights read the digests' definition of "kept"

    managed = list(
        Membership.objects.filter(user_id__in=ids, role=Membership.Role.MANAGER).values_list("user_id", "team_id")
    )
    if not managed:
        return
    offers = autonomy_offers(org=Organisation.current(), team_ids={team for _user, team in managed}, now=end)
    per_team = Counter(offer.team_id for offer in offers)
    for user_id, team_id in managed:
        if per_team[team_id]:
            personal[user_id]["autonomy_offers"] = personal[user_id].get("autonomy_offers", 0) + per_team[team_id]
