"""CSV import of people and teams: a preview first (created, changed, unchanged, and every bad row by line), then
all or nothing; the same file twice changes nothing; Excel's encodings; 5,000 rows in seconds."""

import time

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.org.models import Department, Membership, Team
from apps.setup import importing, services
from apps.setup.models import Invitation, PeopleImport
from tests.factories import DepartmentFactory, TeamFactory, admin, agent

pytestmark = pytest.mark.django_db

HEADER = "email,name,department,team,role,language,time_zone\n"
GOOD = (
    HEADER
    + "ana@acme.example,Ana García,Customer Care,Billing,agent,es,Europe/Madrid\n"
    + "grace@acme.example,Grace Okafor,Customer Care,Billing,manager,en,Europe/London\n"
    + "grace@acme.example,Grace Okafor,Customer Care,Orders,manager,en,Europe/London\n"
    + "helen@acme.example,Helen Carter,Customer Care,,department_head,en,\n"
)


@pytest.fixture
def morgan(client):
    person = admin(first_name="Morgan", last_name="Lee")
    client.force_login(person)
    return person


def _upload(client, content: bytes, name="people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("setup:import"), {"file": SimpleUploadedFile(name, content, "text/csv")})
    return PeopleImport.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def _state():
    return (
        sorted(User.objects.values_list("email", "first_name", "last_name", "language", "time_zone", "is_active")),
        sorted(Membership.objects.values_list("user__email", "team__name", "role")),
        sorted(Department.heads.through.objects.values_list("user__email", "department__name")),
        sorted(Team.objects.values_list("department__name", "name")),
    )


def test_the_preview_writes_nothing_and_confirming_writes_everything(client, morgan):
    run = _upload(client, GOOD.encode())
    before = _state()

    page = client.get(reverse("setup:import_preview", args=[run.pk])).content.decode()

    assert _state() == before
    assert "people to create" in page and "ana@acme.example" in page
    plan = importing.build_plan(run.content)
    assert [p.email for p in plan.created] == ["ana@acme.example", "grace@acme.example", "helen@acme.example"]
    assert plan.new_departments == ["Customer Care"]
    assert plan.new_teams == [("Customer Care", "Billing"), ("Customer Care", "Orders")]

    client.post(reverse("setup:import_confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == "done" and run.result == {"created": 3, "changed": 0, "unchanged": 0}
    ana = User.objects.get(email="ana@acme.example")
    assert (ana.first_name, ana.last_name, ana.language, ana.time_zone) == ("Ana", "García", "es", "Europe/Madrid")
    assert not ana.has_usable_password()
    assert list(ana.memberships.values_list("team__name", "role")) == [("Billing", "agent")]
    assert set(Membership.objects.filter(user__email="grace@acme.example").values_list("team__name", flat=True)) == {
        "Billing",
        "Orders",
    }
    assert list(Department.objects.get(name="Customer Care").heads.values_list("email", flat=True)) == [
        "helen@acme.example"
    ]
    assert Invitation.objects.filter(sent_at__isnull=True).count() == 3


def test_importing_the_same_file_twice_changes_nothing(client, morgan):
    first = _upload(client, GOOD.encode())
    client.post(reverse("setup:import_confirm", args=[first.pk]))
    after_first = _state()

    second = _upload(client, GOOD.encode())
    plan = importing.build_plan(second.content)
    assert (len(plan.created), len(plan.changed), len(plan.unchanged)) == (0, 0, 3)
    client.post(reverse("setup:import_confirm", args=[second.pk]))

    assert _state() == after_first
    assert Invitation.objects.count() == 3


def test_a_changed_person_is_listed_with_what_changes(client, morgan):
    billing = TeamFactory(name="Billing", department=DepartmentFactory(name="Customer Care"))
    TeamFactory(name="Orders", department=billing.department)
    agent(billing, email="ana@acme.example", first_name="Ana", last_name="García", language="es")

    plan = importing.build_plan(HEADER + "ana@acme.example,Ana García,Customer Care,Orders,agent,nl,\n")

    assert [p.changes for p in plan.changed] == [["language", "agent in Orders"]]
    with __import__("django").db.transaction.atomic():
        importing.import_apply(plan, invited_by=morgan)
    assert list(Membership.objects.filter(user__email="ana@acme.example").values_list("team__name", flat=True)) == [
        "Orders"
    ]


def test_every_kind_of_bad_row_is_explained_by_line_and_nothing_is_written(client, morgan):
    DepartmentFactory(name="Customer Care")
    content = (
        HEADER
        + "ana@acme.example,Ana García,Customer Care,Billing,agent,es,Europe/Madrid\n"  # 2: fine
        + "not-an-address,Somebody,Customer Care,Billing,agent,en,\n"  # 3
        + "tom@acme.example,Tom Becker,Customer Care,Billing,boss,en,\n"  # 4
        + "mei@acme.example,Mei Chen,Customer Care,Billing,agent,fr,\n"  # 5
        + "yuki@acme.example,Yuki Tanaka,Customer Care,Billing,agent,en,Mars/Olympus\n"  # 6
        + "ana@acme.example,Ana García,Customer Care,Orders,agent,es,Europe/Madrid\n"  # 7: agent in two teams
        + "liam@acme.example,Liam O'Brien,,Nowhere,agent,en,\n"  # 8: unknown team, no department
        + "kwame@acme.example,Kwame Mensah,Customer Care,Billing,manager,en,\n"  # 9: fine
        + "kwame@acme.example,Kwame Mensah,Customer Care,Billing,manager,en,\n"  # 10: duplicate
    )
    run = _upload(client, content.encode())
    before = _state()

    page = client.get(reverse("setup:import_preview", args=[run.pk])).content.decode()

    plan = importing.build_plan(run.content)
    assert [line for line, _message in plan.errors] == [3, 4, 5, 6, 7, 8, 10]
    for text in (
        "is not an email address",
        "Unknown role “boss”",
        "Unknown language “fr”",
        "Unknown time zone “Mars/Olympus”",
        "is already on line 2: an agent works in one team only",
        "Unknown team “Nowhere”: give its department",
        "Duplicate of line 9.",
    ):
        assert text in page
    assert 'action="/setup/import/' not in page  # no Import button
    assert client.post(reverse("setup:import_confirm", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == "failed"
    assert _state() == before


def test_a_windows_1252_file_and_a_file_with_a_bom_read_the_same(client, morgan):
    text = HEADER + "jose@acme.example,José Muñoz,Atención,Reservas,agent,es,Europe/Madrid\n"

    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        plan = importing.build_plan(importing.decode(data))
        assert not plan.errors
        assert plan.created[0].name == "José Muñoz"
        assert plan.new_teams == [("Atención", "Reservas")]


def test_a_semicolon_separated_file_from_a_spanish_excel_is_read(client, morgan):
    plan = importing.build_plan(
        "email;name;department;team;role;language;time_zone\na@acme.example;A B;D;T;agent;es;\n"
    )

    assert not plan.errors and len(plan.created) == 1


def test_the_template_csv_is_a_valid_import(client, morgan):
    response = client.get(reverse("setup:import_template"))

    assert response["Content-Disposition"] == 'attachment; filename="leeway-people.csv"'
    plan = importing.build_plan(response.content.decode())
    assert not plan.errors and len(plan.created) == 3


def _big_file(rows: int) -> str:
    lines = [HEADER.strip()]
    for n in range(rows):
        team = f"Team {n // 25}"
        role = "manager" if n % 25 == 0 else "agent"
        lines.append(f"person{n}@big.example,Person {n},Department {n // 500},{team},{role},es,Europe/Madrid")
    return "\n".join(lines) + "\n"


def test_five_thousand_people_are_previewed_and_imported_in_seconds(morgan, django_assert_max_num_queries):
    text = _big_file(5000)

    started = time.monotonic()
    with django_assert_max_num_queries(10):
        plan = importing.build_plan(text)
    previewed = time.monotonic() - started
    assert plan.is_valid and len(plan.created) == 5000

    run = PeopleImport.objects.create(created_by=morgan, content=text, status=PeopleImport.Status.QUEUED)
    started = time.monotonic()
    assert services.people_import_run(people_import_id=run.pk)
    imported = time.monotonic() - started

    print(f"\n5,000 rows: preview {previewed:.2f} s, import {imported:.2f} s")
    assert User.objects.filter(email__endswith="@big.example").count() == 5000
    assert Team.objects.count() == 200 and Department.objects.count() == 10
    assert previewed < 15 and imported < 30
    assert services.import_progress(run.pk) == 100


def test_a_large_import_is_confirmed_into_the_background_with_a_progress_bar(client, morgan):
    run = _upload(client, _big_file(services.IMPORT_INLINE_ROWS + 1).encode())

    client.post(reverse("setup:import_confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == "queued"
    partial = client.get(reverse("setup:import_progress", args=[run.pk])).content.decode()
    assert "<progress" in partial and 'data-hx-trigger="every 1s"' in partial

    services.people_import_run(people_import_id=run.pk)  # what the worker's task does
    partial = client.get(reverse("setup:import_progress", args=[run.pk])).content.decode()
    assert "data-hx-trigger" not in partial and "501 created, 0 changed, 0 left as they were." in partial


def test_an_import_runs_once_however_often_it_is_confirmed(morgan):
    run = PeopleImport.objects.create(created_by=morgan, content=GOOD)

    assert services.people_import_run(people_import_id=run.pk)
    assert not services.people_import_run(people_import_id=run.pk)
