"""factory-boy factories: the one way tests make data."""

import datetime

import factory
from allauth.account.models import EmailAddress

from apps.accounts.models import User
from apps.org.models import Department, Membership, Organisation, Team

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
