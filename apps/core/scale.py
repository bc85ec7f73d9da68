"""A large, realistic organisation for measuring Leeway: `manage.py seed_scale --agents N --weeks W`.

Teams of ten agents and a manager, ten teams to a department with a head, one admin. Each agent logs about two stories
a week (0–4, most often 2) over the last W weeks; most are approved by their manager within a day, about one in eight
is celebrated, a few are withdrawn and the last days' stories still wait. Shared stories gather about three
endorsements, mostly from teammates and within a few days. The same seed gives the same organisation.

Rows go in with PostgreSQL's COPY (psycopg 3), ids allocated up front, so 10,000 agents × 26 weeks take minutes, not
hours. Then the leaderboards are refreshed and the last finished weeks' digests are built (without deliveries), as the
beat would have done, and the tables are vacuumed and analysed.
"""

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.demo import CATEGORIES, STORIES, VALUES
from apps.decisions.models import Category, CompanyValue, Decision, Guardrail
from apps.org.models import Department, Membership, Organisation, Team
from apps.recognition.models import Endorsement

TEAM_SIZE = 10
TEAMS_PER_DEPARTMENT = 10
EMAIL_DOMAIN = "scale.example"
PASSWORD = "leeway-scale"  # noqa: S105 - a benchmark organisation, never a real one
STORIES_PER_WEEK = (0, 1, 1, 2, 2, 2, 2, 3, 3, 4)  # mean 2
FIRST = ["Ana", "Bram", "Carla", "Daan", "Elena", "Femke", "Guillermo", "Hugo", "Inés", "Jan", "Kim", "Lucía"]
LAST = ["García", "de Vries", "Smith", "Jansen", "López", "Bakker", "Martín", "Visser", "Brown", "Ruiz", "Mulder"]


def _copy(table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples, None for NULL) into a table; returns how many."""
    n = 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _next_ids(model, n: int) -> int:
    """The first of n fresh ids for `model` (the identity sequence moves past them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + n])
    return first


def vacuum_analyze() -> float:
    """VACUUM ANALYZE the whole database (autovacuum's work, which these machines leave off); returns seconds."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _catalogue() -> tuple[list[Category], dict[int, Decimal], list[int]]:
    categories, limits = [], {}
    for position, (slug, en, es, nl, limit, in_scope, out_scope) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": en, "name_es": es, "name_nl": nl, "position": position}
        )
        guardrail, _ = Guardrail.objects.get_or_create(
            category=category, defaults={"limit": Decimal(limit), "in_scope": in_scope, "out_of_scope": out_scope}
        )
        categories.append(category)
        limits[category.pk] = (guardrail.pk, guardrail.limit)
    values = []
    for position, (slug, en, es, nl) in enumerate(VALUES):
        value, _ = CompanyValue.objects.get_or_create(
            slug=slug, defaults={"name": en, "name_es": es, "name_nl": nl, "position": position}
        )
        values.append(value.pk)
    return categories, limits, values


@transaction.atomic
def _people(*, agents: int, rng: random.Random, today: datetime.date) -> dict:
    """Users, departments, teams and memberships. Returns {team_id: (manager_id, [agent ids])}, the admin's id."""
    org = Organisation.current()
    n_teams = max(1, -(-agents // TEAM_SIZE))
    n_departments = max(1, -(-n_teams // TEAMS_PER_DEPARTMENT))
    password = make_password(PASSWORD)
    now = timezone.now()
    joined = today - datetime.timedelta(days=400)

    def user(i: int, kind: str, staff: bool = False):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        language = ("en", "en", "es", "nl")[i % 4]
        return User(
            email=f"{kind}-{i:05d}@{EMAIL_DOMAIN}",
            first_name=first,
            last_name=f"{last} {i}",
            password=password,
            language=language,
            is_staff=staff,
            is_active=True,
            date_joined=now,
        )

    admin = User.objects.bulk_create([user(0, "admin", staff=True)])[0]
    heads = User.objects.bulk_create([user(i, "head") for i in range(n_departments)], batch_size=2000)
    managers = User.objects.bulk_create([user(i, "manager") for i in range(n_teams)], batch_size=2000)
    people = User.objects.bulk_create([user(i, "agent") for i in range(agents)], batch_size=2000)
    departments = Department.objects.bulk_create(
        [Department(organisation=org, name=f"Scale department {d + 1:03d}") for d in range(n_departments)]
    )
    Department.heads.through.objects.bulk_create(
        [Department.heads.through(department_id=d.pk, user_id=h.pk) for d, h in zip(departments, heads, strict=True)]
    )
    teams = Team.objects.bulk_create(
        [
            Team(department=departments[t // TEAMS_PER_DEPARTMENT], name=f"Scale team {t + 1:04d}")
            for t in range(n_teams)
        ],
        batch_size=2000,
    )
    memberships, structure = [], {}
    for t, team in enumerate(teams):
        members = people[t * TEAM_SIZE : (t + 1) * TEAM_SIZE]
        memberships.append(Membership(team=team, user=managers[t], role=Membership.Role.MANAGER, joined_on=joined))
        memberships += [Membership(team=team, user=a, role=Membership.Role.AGENT, joined_on=joined) for a in members]
        structure[team.pk] = (managers[t].pk, [a.pk for a in members])
    Membership.objects.bulk_create(memberships, batch_size=5000)
    return {"teams": structure, "admin": admin.pk, "all_agents": [a.pk for a in people]}


def _stories(*, structure: dict, weeks: int, rng: random.Random, now: datetime.datetime, catalogue) -> dict:
    """Decisions (with their values) and endorsements, written with COPY."""
    categories, limits, values = catalogue
    story_texts = STORIES["en"]
    slug_to_id = {c.slug: c.pk for c in categories}
    first_day = now - datetime.timedelta(weeks=weeks)
    # Draw every story first to know how many ids to take.
    drafts = []
    for team_id, (manager_id, agent_ids) in structure.items():
        for agent_id in agent_ids:
            for week in range(weeks):
                for _ in range(rng.choice(STORIES_PER_WEEK)):
                    created = first_day + datetime.timedelta(weeks=week, seconds=rng.randrange(7 * 24 * 3600))
                    if created < now:
                        drafts.append((team_id, manager_id, agent_id, created))
    drafts.sort(key=lambda d: d[3])
    first_id = _next_ids(Decision, len(drafts))
    decisions, decision_values, endorsements = [], [], []
    shared_by_author: dict[int, int] = {}
    first_endorsement_id = None
    endorsement_rows = []
    for offset, (team_id, manager_id, agent_id, created) in enumerate(drafts):
        pk = first_id + offset
        text = story_texts[rng.randrange(len(story_texts))]
        slug, channel, (low, high), outcome, value_slugs, situation, action, justification = text
        category_id = slug_to_id.get(slug) or categories[-1].pk
        guardrail_id, limit = limits[category_id]
        cost = Decimal(rng.randint(low, high)) if high else Decimal(0)
        if rng.random() < 0.08:
            cost += limit  # above the guardrail now and then
        covered = cost <= limit
        age = now - created
        roll = rng.random()
        approved_at = celebrated_at = withdrawn_at = None
        approved_by = celebrated_by = None
        note = ""
        if roll < 0.03:
            status = Decision.Status.WITHDRAWN
            withdrawn_at = created + datetime.timedelta(hours=2)
        elif age < datetime.timedelta(days=2) or roll < 0.08:
            status = Decision.Status.SUBMITTED
        else:
            approved_at = created + datetime.timedelta(minutes=rng.randrange(30, 36 * 60))
            if approved_at >= now:
                approved_at = now - datetime.timedelta(minutes=1)
            approved_by = manager_id
            status = Decision.Status.APPROVED
            if roll > 0.875:
                celebrated_at = min(approved_at + datetime.timedelta(hours=rng.randrange(1, 72)), now)
                celebrated_by = manager_id
                status = Decision.Status.CELEBRATED
                note = "Exactly the judgement we want: thank you."
        decisions.append(
            (
                pk,
                channel,
                situation,
                action,
                justification,
                cost,
                "USD",
                outcome if age > datetime.timedelta(days=30) else "",
                created.date(),
                f"C-{pk:07d}",
                status,
                covered,
                "organisation" if covered else "none",
                limit,
                created,
                approved_at or created,
                approved_at,
                celebrated_at,
                note,
                withdrawn_at,
                approved_by,
                agent_id,
                category_id,
                celebrated_by,
                team_id,
                guardrail_id if covered else None,
                "",
                "en",
            )
        )
        for value_slug in value_slugs:
            decision_values.append((pk, values[[v[0] for v in VALUES].index(value_slug)]))
        if approved_at is not None:
            shared_by_author[agent_id] = shared_by_author.get(agent_id, 0) + 1
            teammates = [a for a in structure[team_id][1] if a != agent_id]
            n = min(len(teammates), max(0, int(rng.gauss(3, 1.5))))
            endorsers = rng.sample(teammates, n) if n else []
            if rng.random() < 0.3:  # someone from elsewhere in the organisation
                other = rng.choice(structure[rng.choice(list(structure))][1])
                if other != agent_id and other not in endorsers:
                    endorsers.append(other)
            for endorser in endorsers:
                at = approved_at + datetime.timedelta(minutes=rng.randrange(5, 4 * 24 * 60))
                if at < now:
                    endorsement_rows.append((pk, endorser, agent_id, at))
    decision_columns = [
        "id",
        "channel",
        "situation",
        "action",
        "justification",
        "cost",
        "currency",
        "outcome",
        "happened_on",
        "customer_reference",
        "status",
        "covered",
        "coverage",
        "limit_in_force",
        "created_at",
        "updated_at",
        "approved_at",
        "celebrated_at",
        "celebration_note",
        "withdrawn_at",
        "approved_by_id",
        "author_id",
        "category_id",
        "celebrated_by_id",
        "team_id",
        "covering_guardrail_id",
        "return_note",
        "language",
    ]
    n_decisions = _copy(Decision._meta.db_table, decision_columns, decisions)
    _copy(Decision.values.through._meta.db_table, ["decision_id", "companyvalue_id"], decision_values)
    endorsement_rows.sort(key=lambda e: e[3])
    first_endorsement_id = _next_ids(Endorsement, len(endorsement_rows))
    endorsements = (
        (first_endorsement_id + i, "", at, decision_id, author_id, endorser_id)
        for i, (decision_id, endorser_id, author_id, at) in enumerate(endorsement_rows)
    )
    n_endorsements = _copy(
        Endorsement._meta.db_table,
        ["id", "comment", "created_at", "decision_id", "decision_author_id", "endorser_id"],
        endorsements,
    )
    return {"stories": n_decisions, "endorsements": n_endorsements}


def seed_scale(*, agents: int, weeks: int, seed: int = 16, digest_weeks: int = 8, log=print) -> dict:
    """Adds a whole organisation of `agents` agents with `weeks` weeks of history. Returns what it made and timings."""
    from apps.digests.services import edition_build, week_start_of
    from apps.leaderboards.services import leaderboards_refresh, scores_changed
    from apps.org.selectors import memberships_changed

    from .cache import names_changed

    if User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
        raise ValueError("This database already has a scale organisation; seed an empty database.")
    rng = random.Random(seed)
    now = timezone.now()
    timings = {}
    started = time.perf_counter()
    catalogue = _catalogue()
    people = _people(agents=agents, rng=rng, today=timezone.localdate())
    timings["people"] = time.perf_counter() - started
    log(f"  people, teams and departments: {timings['people']:.1f} s")
    t = time.perf_counter()
    with transaction.atomic():
        counts = _stories(structure=people["teams"], weeks=weeks, rng=rng, now=now, catalogue=catalogue)
        scores_changed()  # COPY sends no signals: the next refresh must recompute
    # Nor for what the cache keeps per person and per name.
    memberships_changed()
    names_changed()
    timings["stories"] = time.perf_counter() - t
    log(f"  {counts['stories']} stories, {counts['endorsements']} endorsements: {timings['stories']:.1f} s")
    timings["vacuum_analyze"] = vacuum_analyze()
    log(f"  VACUUM ANALYZE: {timings['vacuum_analyze']:.1f} s")
    if digest_weeks:
        t = time.perf_counter()
        org = Organisation.current()
        this_week = week_start_of(now, org)
        built = 0
        for back in range(min(weeks, digest_weeks), 0, -1):
            edition_build(week_start=this_week - datetime.timedelta(weeks=back), deliver=False, now=now)
            built += 1
        timings["digests"] = time.perf_counter() - t
        log(f"  {built} weekly digests built: {timings['digests']:.1f} s")
    t = time.perf_counter()
    leaderboards_refresh(now=now)
    timings["leaderboards"] = time.perf_counter() - t
    log(f"  leaderboards refreshed: {timings['leaderboards']:.1f} s")
    timings["vacuum_analyze_2"] = vacuum_analyze()
    timings["total"] = time.perf_counter() - started
    log(f"  VACUUM ANALYZE: {timings['vacuum_analyze_2']:.1f} s — total {timings['total']:.1f} s")
    return {
        "agents": agents,
        "weeks": weeks,
        "teams": len(people["teams"]),
        "admin_id": people["admin"],
        **counts,
        "timings": timings,
    }
