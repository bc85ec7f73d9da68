"""factory-boy factories: the one way tests make data."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.models import (
    Category,
    Channel,
    CompanyValue,
    Decision,
    Guardrail,
    Outcome,
    TeamGuardrail,
    TrustStatement,
)
from apps.org.models import Department, Membership, Organisation, Team
from apps.recognition.models import Endorsement, Review

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = "Acme Support"
    currency = "USD"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.LazyFunction(lambda: OrganisationFactory())
    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@acme.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.AGENT
    joined_on = datetime.date(2025, 1, 1)


def agent(team: Team | None = None, **user_fields) -> User:
    """A person working as an agent in `team` (a new team if none is given)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, team=team or TeamFactory(), role=Membership.Role.AGENT)
    return user


def manager(*teams: Team, **user_fields) -> User:
    """A person managing each of `teams` (a new team if none is given)."""
    user = UserFactory(**user_fields)
    for team in teams or (TeamFactory(),):
        MembershipFactory(user=user, team=team, role=Membership.Role.MANAGER)
    return user


def department_head(*departments: Department, **user_fields) -> User:
    """A director heading each of `departments` (a new department if none is given)."""
    user = UserFactory(**user_fields)
    for department in departments or (DepartmentFactory(),):
        department.heads.add(user)
    return user


def admin(**user_fields) -> User:
    """An admin (`is_staff`): organisation settings, people, setup."""
    return UserFactory(is_staff=True, **user_fields)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class GuardrailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardrail
        django_get_or_create = ["category"]

    category = factory.SubFactory(CategoryFactory)
    limit = Decimal("50.00")
    in_scope = "Waive a late fee\nRefund a delivery charge"
    out_of_scope = "Change a contract\nPromise a future discount"


class TeamGuardrailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamGuardrail

    team = factory.SubFactory(TeamFactory)
    category = factory.SubFactory(CategoryFactory)
    limit = Decimal("80.00")


class CompanyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyValue
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Value {n}")
    slug = factory.Sequence(lambda n: f"value-{n}")


class TrustStatementFactory(factory.django.DjangoModelFactory):
    """To a whole team unless `agent` is given; `author` should manage `team`."""

    class Meta:
        model = TrustStatement

    team = factory.SubFactory(TeamFactory)
    author = factory.LazyAttribute(lambda o: manager(o.team))
    agent = None
    text = "I trust you to make it right for the customer."
    category = None
    raised_limit = None
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    ends_on = None


class DecisionFactory(factory.django.DjangoModelFactory):
    """A submitted story by an agent; pass `author` (an agent) and the team follows from their membership."""

    class Meta:
        model = Decision
        skip_postgeneration_save = True

    author = factory.LazyFunction(lambda: agent())
    team = factory.LazyAttribute(lambda o: o.author.memberships.get(role=Membership.Role.AGENT).team)
    category = factory.LazyFunction(lambda: GuardrailFactory().category)
    channel = Channel.PHONE
    situation = "The customer was charged a late fee after our own payment page was down."
    action = "I waived the late fee."
    justification = "The delay was our fault; keeping the fee would have cost us the customer's trust."
    cost = Decimal("25.00")
    currency = "USD"
    outcome = Outcome.RETAINED
    happened_on = factory.LazyFunction(timezone.localdate)
    status = Decision.Status.SUBMITTED

    class Params:
        approved = factory.Trait(
            status=Decision.Status.APPROVED,
            approved_at=factory.LazyFunction(timezone.now),
            approved_by=factory.LazyAttribute(lambda o: manager(o.team)),
        )
        celebrated = factory.Trait(
            status=Decision.Status.CELEBRATED,
            approved_at=factory.LazyFunction(timezone.now),
            approved_by=factory.LazyAttribute(lambda o: manager(o.team)),
            celebrated_at=factory.LazyFunction(timezone.now),
            celebrated_by=factory.SelfAttribute("approved_by"),
            celebration_note="Great call — exactly the judgement we want.",
        )


class EndorsementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endorsement

    decision = factory.SubFactory(DecisionFactory)
    endorser = factory.LazyAttribute(lambda o: agent(o.decision.team))
    decision_author = factory.SelfAttribute("decision.author")
    comment = ""


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    decision = factory.SubFactory(DecisionFactory)
    opened_by = factory.LazyAttribute(lambda o: manager(o.decision.team))


# --- recognition ----------------------------------------------------------------------------------------------------
from apps.recognition.models import AuditEvent, Notification, ReviewMessage  # noqa: E402


class ReviewMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewMessage

    review = factory.SubFactory(ReviewFactory)
    author = factory.SelfAttribute("review.decision.author")
    body = "What happened, in your own words?"


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notification to the decision's author; its email already dealt with unless `email_status` says."""

    class Meta:
        model = Notification

    decision = factory.SubFactory(DecisionFactory, approved=True)
    recipient = factory.SelfAttribute("decision.author")
    actor = factory.SelfAttribute("decision.approved_by")
    kind = Notification.Kind.APPROVED
    email_status = Notification.EmailStatus.SKIPPED


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    decision = factory.SubFactory(DecisionFactory, approved=True)
    actor = factory.SelfAttribute("decision.approved_by")
    verb = AuditEvent.Verb.APPROVED


# --- Digests, leaderboards and badges ---------------------------------------------------------------------------------


class BadgeAwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "leaderboards.BadgeAward"

    user = factory.LazyFunction(lambda: agent())
    badge = "first_story"
    awarded_at = factory.LazyFunction(timezone.now)


def a_week_to_celebrate(*, when: datetime.datetime, team: Team | None = None) -> dict:
    """A team's week: a celebrated story endorsed by two colleagues, a first story, a new trust statement, and an
    older story that went badly and is under review (which no digest may ever mention). Make it inside
    `time_machine.travel(when)`, so that automatic timestamps fall in the same week."""
    team = team or TeamFactory(name="Billing & Accounts")
    boss = manager(team, first_name="Grace", last_name="Okafor")
    ana = agent(team, first_name="Ana", last_name="García", language="es")
    tom = agent(team, first_name="Tom", last_name="Becker")
    mei = agent(team, first_name="Mei", last_name="Chen")
    category = GuardrailFactory(category=CategoryFactory(name="Fee waiver", name_es="Exención de cargos")).category
    shared = {
        "approved_by": boss,
        "approved_at": when,
        "created_at": when,
        "happened_on": when.date(),
        "category": category,
    }
    long_ago = when - datetime.timedelta(days=40)
    DecisionFactory(author=ana, approved=True, **{**shared, "approved_at": long_ago, "created_at": long_ago})
    celebrated = DecisionFactory(
        author=ana,
        celebrated=True,
        celebrated_by=boss,
        celebrated_at=when,
        celebration_note="Exactly the judgement we hope for: the customer stayed.",
        action="I waived the late fee after our payment page failed.",
        cost=Decimal("35.00"),
        covered=True,
        coverage="organisation",
        **shared,
    )
    EndorsementFactory(decision=celebrated, endorser=tom, created_at=when)
    EndorsementFactory(decision=celebrated, endorser=mei, created_at=when)
    first = DecisionFactory(
        author=tom, approved=True, action="I upgraded the delivery to next day at no charge.", **shared
    )
    EndorsementFactory(decision=first, endorser=ana, created_at=when)
    reviewed = DecisionFactory(
        author=mei,
        approved=True,
        outcome=Outcome.LOST,
        cost=Decimal("480.00"),
        action="I refunded three months of subscription.",
        **{**shared, "approved_at": long_ago, "created_at": long_ago},
    )
    ReviewFactory(decision=reviewed, opened_by=boss, lesson="A secret lesson about the refund.")
    trust = TrustStatementFactory(team=team, author=boss, text="I trust you to waive delivery charges.")
    return {
        "team": team,
        "manager": boss,
        "ana": ana,
        "tom": tom,
        "mei": mei,
        "celebrated": celebrated,
        "first": first,
        "reviewed": reviewed,
        "trust": trust,
    }


def recently() -> datetime.datetime:
    """For tests on the real clock (browsers, workers): a moment in the past that still falls in the current week,
    month and quarter of the organisation's time zone, whatever the moment the test runs (half-way between the
    latest of their starts and now, so even a minute after midnight on a Monday or the first of a month works)."""
    from apps.leaderboards import periods
    from apps.leaderboards.models import Period

    now = timezone.now()
    tz = periods.org_time_zone(Organisation.current())
    today = now.astimezone(tz).date()
    start = periods.local_midnight(
        max(periods.starts_on(Period.WEEK, today), periods.starts_on(Period.MONTH, today)), tz
    )
    return start + (now - start) / 2


def api_token(user: User, *, scope: str = "read_write", service: bool = False, days: int = 90) -> str:
    """A live API token for `user` (a service token when `service`, for an admin); returns its secret."""
    from apps.api import services as api_services

    if service:
        return api_services.service_token_create(admin=user, name="Reporting", days=days)[1]
    return api_services.personal_token_create(user=user, name="Script", scope=scope, days=days)[1]
