"""The demo organisation: Acme Support, its departments, teams, managers, agents and an admin."""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction

from apps.accounts.models import User

from .models import Department, Membership, Organisation, Team

DEMO_PASSWORD = "leeway-demo"
DEMO_DOMAIN = "acme.example"

# (department, team, manager, agents); each person is (first name, last name, language, time zone).
STRUCTURE = [
    (
        "Customer Care",
        "Billing & Accounts",
        ("Grace", "Okafor", "en", "Europe/London"),
        [
            ("Ana", "García", "es", "Europe/Madrid"),
            ("Tom", "Becker", "en", "Europe/London"),
            ("Fatima", "Zahra", "en", "Europe/London"),
            ("Daan", "Visser", "nl", "Europe/Amsterdam"),
            ("Mei", "Chen", "en", "Europe/London"),
            ("Jonas", "Lind", "en", "Europe/Stockholm"),
        ],
    ),
    (
        "Customer Care",
        "Orders & Returns",
        ("Lucas", "Martín", "es", "Europe/Madrid"),
        [
            ("Sofía", "Hernández", "es", "America/Mexico_City"),
            ("Kwame", "Mensah", "en", "Europe/London"),
            ("Emma", "Jansen", "nl", "Europe/Amsterdam"),
            ("Diego", "Rojas", "es", "America/Bogota"),
            ("Aisha", "Khan", "en", "Europe/London"),
            ("Liam", "O'Brien", "en", "Europe/Dublin"),
        ],
    ),
    (
        "Guest Services",
        "Front Desk",
        ("Sanne", "de Vries", "nl", "Europe/Amsterdam"),
        [
            ("Lotte", "Bakker", "nl", "Europe/Amsterdam"),
            ("Mateo", "Fernández", "es", "Europe/Madrid"),
            ("Yuki", "Tanaka", "en", "Europe/London"),
            ("Noor", "El Amrani", "nl", "Europe/Brussels"),
            ("Chloé", "Martin", "en", "Europe/Paris"),
            ("Ravi", "Patel", "en", "Europe/London"),
        ],
    ),
    (
        "Guest Services",
        "Reservations",
        ("Priya", "Raman", "en", "Europe/London"),
        [
            ("Valentina", "Cruz", "es", "America/Argentina/Buenos_Aires"),
            ("Bram", "Smit", "nl", "Europe/Amsterdam"),
            ("Olga", "Ivanova", "en", "Europe/Berlin"),
            ("Samuel", "Adeyemi", "en", "Europe/London"),
            ("Camila", "Torres", "es", "Europe/Madrid"),
            ("Femke", "Mulder", "nl", "Europe/Amsterdam"),
        ],
    ),
]
ADMIN = ("Morgan", "Lee", "en", "Europe/London")
# Department heads (directors): they oversee every team of their department.
DEPARTMENT_HEADS = {
    "Customer Care": ("Helen", "Carter", "en", "Europe/London"),
    "Guest Services": ("Rosa", "Delgado", "es", "Europe/Madrid"),
}


def demo_email(first_name: str) -> str:
    ascii_name = first_name.lower().translate(str.maketrans("áéíóúñç", "aeiounc"))
    return f"{ascii_name}@{DEMO_DOMAIN}"


def _person(first, last, language, tz, **extra) -> User:
    email = demo_email(first)
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "language": language, "time_zone": tz, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed_organisation(*, today: datetime.date) -> dict:
    org = Organisation.objects.order_by("pk").first() or Organisation.objects.create(name="Acme Support")
    if org.name != "Acme Support" and not Team.objects.exists():
        org.name = "Acme Support"
    org.currency = org.currency or "USD"
    org.customer_lifetime_value = org.customer_lifetime_value or Decimal("1200")
    org.time_zone = "Europe/London" if org.time_zone == "UTC" else org.time_zone
    org.save()

    joined = today - datetime.timedelta(days=400)
    teams, managers, agents = {}, {}, {}
    for department_name, team_name, manager, team_agents in STRUCTURE:
        department, _ = Department.objects.get_or_create(organisation=org, name=department_name)
        team, _ = Team.objects.get_or_create(department=department, name=team_name)
        teams[team_name] = team
        boss = _person(*manager)
        Membership.objects.get_or_create(
            team=team, user=boss, defaults={"role": Membership.Role.MANAGER, "joined_on": joined}
        )
        managers[team_name] = boss
        agents[team_name] = []
        for person in team_agents:
            agent = _person(*person)
            Membership.objects.get_or_create(
                team=team, user=agent, defaults={"role": Membership.Role.AGENT, "joined_on": joined}
            )
            agents[team_name].append(agent)
    heads = {}
    for department_name, person in DEPARTMENT_HEADS.items():
        heads[department_name] = _person(*person)
        Department.objects.get(organisation=org, name=department_name).heads.add(heads[department_name])
    admin = _person(*ADMIN, is_staff=True, is_superuser=True)
    return {
        "organisation": org,
        "teams": teams,
        "managers": managers,
        "agents": agents,
        "department_heads": heads,
        "admin": admin,
    }
