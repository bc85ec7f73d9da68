"""CSV import of people and teams: read a file, plan what it would change, then write the plan all at once.

A plan is computed against the database as it is (a few queries whatever the file's size) and lists every bad row
by its line number. Nothing is written unless the plan has no errors; `import_apply` writes it in one transaction
with bulk operations, so 5,000 people take seconds, and importing the same file again changes nothing.

Teams and departments named in the file are created. The import adds and moves people; it never takes anyone off a
team they manage or out of a department they head (that is done on the person's page).
"""

import codecs
import csv
import io
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.cache import names_changed
from apps.org.models import Department, Membership, Organisation, Team
from apps.org.selectors import memberships_changed

from .models import Invitation

COLUMNS = ["email", "name", "department", "team", "role", "language", "time_zone"]
ROLES = ["agent", "manager", "department_head"]
TEMPLATE_ROWS = [
    ["ana@example.com", "Ana García", "Customer Care", "Billing & Accounts", "agent", "es", "Europe/Madrid"],
    ["grace@example.com", "Grace Okafor", "Customer Care", "Billing & Accounts", "manager", "en", "Europe/London"],
    ["helen@example.com", "Helen Carter", "Customer Care", "", "department_head", "en", ""],
]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without the BOM that Excel writes), else Windows-1252 (Excel on Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


@dataclass
class Row:
    line: int
    email: str
    first_name: str
    last_name: str
    department: str
    team: str
    role: str
    language: str
    time_zone: str


@dataclass
class PersonPlan:
    email: str
    line: int
    name: str
    rows: list[Row]
    user: User | None = None
    is_new: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.is_new:
            return "created"
        return "changed" if self.changes else "unchanged"


@dataclass
class ImportPlan:
    errors: list[tuple[int, str]] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    new_teams: list[tuple[str, str]] = field(default_factory=list)
    row_count: int = 0

    def _with(self, status: str) -> list[PersonPlan]:
        return [p for p in self.people if p.status == status]

    @property
    def created(self) -> list[PersonPlan]:
        return self._with("created")

    @property
    def changed(self) -> list[PersonPlan]:
        return self._with("changed")

    @property
    def unchanged(self) -> list[PersonPlan]:
        return self._with("unchanged")

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.row_count > 0


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read_rows(text: str, plan: ImportPlan) -> list[Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)  # Excel in Spain and the Netherlands writes ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        plan.errors.append((1, _("The file is empty.")))
        return []
    names = [_key(h).replace(" ", "_").replace("-", "_") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        plan.errors.append((1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
        return []
    position = {name: names.index(name) for name in COLUMNS}
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        values = values + [""] * (len(names) - len(values))
        cell = {name: values[index].strip() for name, index in position.items()}
        first, _sep, last = " ".join(cell["name"].split()).partition(" ")
        rows.append(
            Row(
                line=reader.line_num,
                email=cell["email"].lower(),
                first_name=first,
                last_name=last,
                department=" ".join(cell["department"].split()),
                team=" ".join(cell["team"].split()),
                role=_key(cell["role"]).replace(" ", "_").replace("-", "_"),
                language=cell["language"].lower(),
                time_zone=cell["time_zone"],
            )
        )
    return rows


def _row_error(row: Row) -> str | None:
    try:
        validate_email(row.email)
    except ValidationError:
        return _("“%(email)s” is not an email address.") % {"email": row.email}
    if row.role not in ROLES:
        return _("Unknown role “%(role)s”: use agent, manager or department_head.") % {"role": row.role}
    if row.language and row.language not in dict(settings.LANGUAGES):
        return _("Unknown language “%(language)s”: use %(choices)s.") % {
            "language": row.language,
            "choices": ", ".join(code for code, _name in settings.LANGUAGES),
        }
    if row.time_zone and row.time_zone not in _time_zones():
        return _("Unknown time zone “%(zone)s” (write it like Europe/Madrid).") % {"zone": row.time_zone}
    if row.role == "department_head" and not row.department:
        return _("A department head needs a department.")
    if row.role != "department_head" and not row.team:
        return _("An agent or a manager needs a team.")
    return None


def build_plan(text: str) -> ImportPlan:
    """What importing `text` would do, and every bad row. Reads the database; writes nothing."""
    plan = ImportPlan()
    rows = _read_rows(text, plan)
    plan.row_count = len(rows)

    departments = {_key(d.name): d for d in Department.objects.all()}
    teams = {(_key(t.department.name), _key(t.name)): t for t in Team.objects.select_related("department")}
    teams_by_name: dict[str, list[Team]] = {}
    for team in teams.values():
        teams_by_name.setdefault(_key(team.name), []).append(team)

    good: list[Row] = []
    first_row_of: dict[str, Row] = {}
    for row in rows:
        error = _row_error(row)
        if error is None and row.role != "department_head" and not row.department:
            # A known team may be named alone when its name is unique; a new one needs its department.
            matches = teams_by_name.get(_key(row.team), [])
            if len(matches) == 1:
                row.department = matches[0].department.name
            elif matches:
                error = _("Several departments have a team “%(team)s”: give the department.") % {"team": row.team}
            else:
                error = _("Unknown team “%(team)s”: give its department so that it can be created.") % {
                    "team": row.team
                }
        earlier = first_row_of.get(row.email)
        if error is None and earlier is not None:
            if "agent" in (row.role, earlier.role):
                error = _("%(email)s is already on line %(line)s: an agent works in one team only.") % {
                    "email": row.email,
                    "line": earlier.line,
                }
            elif (row.role, _key(row.department), _key(row.team)) == (
                earlier.role,
                _key(earlier.department),
                _key(earlier.team),
            ):
                error = _("Duplicate of line %(line)s.") % {"line": earlier.line}
            elif (row.first_name, row.last_name, row.language, row.time_zone) != (
                earlier.first_name,
                earlier.last_name,
                earlier.language,
                earlier.time_zone,
            ):
                error = _("%(email)s is on line %(line)s with another name, language or time zone.") % {
                    "email": row.email,
                    "line": earlier.line,
                }
        if error:
            plan.errors.append((row.line, error))
            continue
        first_row_of.setdefault(row.email, row)
        good.append(row)

    new_departments: dict[str, str] = {}
    new_teams: dict[tuple[str, str], tuple[str, str]] = {}
    for row in good:
        dep = _key(row.department)
        if dep not in departments:
            new_departments.setdefault(dep, row.department)
        if row.team and (dep, _key(row.team)) not in teams:
            new_teams.setdefault((dep, _key(row.team)), (row.department, row.team))
    plan.new_departments, plan.new_teams = list(new_departments.values()), list(new_teams.values())

    existing = {
        u.email_lower: u for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=first_row_of)
    }
    memberships: dict[int, list[Membership]] = {}
    for m in Membership.objects.filter(user__in=existing.values()).select_related("team__department"):
        memberships.setdefault(m.user_id, []).append(m)
    headed: dict[int, set[str]] = {}
    for user_id, name in Department.heads.through.objects.filter(user__in=existing.values()).values_list(
        "user_id", "department__name"
    ):
        headed.setdefault(user_id, set()).add(_key(name))

    by_email: dict[str, PersonPlan] = {}
    for row in good:
        person = by_email.get(row.email)
        if person is None:
            person = PersonPlan(
                email=row.email,
                line=row.line,
                name=f"{row.first_name} {row.last_name}".strip() or row.email,
                rows=[],
                user=existing.get(row.email),
            )
            person.is_new = person.user is None
            by_email[row.email] = person
            plan.people.append(person)
        person.rows.append(row)
    for person in plan.people:
        if not person.is_new:
            person.changes = _changes(person, memberships.get(person.user.pk, []), headed.get(person.user.pk, set()))
    return plan


def _changes(person: PersonPlan, memberships: list[Membership], headed: set[str]) -> list[str]:
    user, row = person.user, person.rows[0]
    changes = []
    if row.first_name and (row.first_name, row.last_name) != (user.first_name, user.last_name):
        changes.append(_("name"))
    if row.language and row.language != user.language:
        changes.append(_("language"))
    if row.time_zone and row.time_zone != user.time_zone:
        changes.append(_("time zone"))
    if not user.is_active:
        changes.append(_("reactivated"))
    held = {(_key(m.team.department.name), _key(m.team.name)): m.role for m in memberships}
    for row in person.rows:
        if row.role == "department_head":
            if _key(row.department) not in headed:
                changes.append(_("heads %(department)s") % {"department": row.department})
            continue
        key = (_key(row.department), _key(row.team))
        if held.get(key) != row.role or row.role == "agent" and any(r == "agent" and k != key for k, r in held.items()):
            changes.append(_("%(role)s in %(team)s") % {"role": row.role, "team": row.team})
    return changes


def import_apply(
    plan: ImportPlan, *, invited_by: User | None, progress: Callable[[int], None] = lambda n: None
) -> dict:
    """Writes a valid plan with bulk operations. Call it inside a transaction (all or nothing). Returns the counts."""
    assert plan.is_valid
    organisation = Organisation.current()
    Department.objects.bulk_create(
        [Department(organisation=organisation, name=name) for name in plan.new_departments], ignore_conflicts=True
    )
    departments = {_key(d.name): d for d in Department.objects.all()}
    Team.objects.bulk_create(
        [Team(department=departments[_key(d)], name=t) for d, t in plan.new_teams], ignore_conflicts=True
    )
    teams = {(_key(t.department.name), _key(t.name)): t for t in Team.objects.select_related("department")}
    progress(10)

    new_people = plan.created
    unusable = make_password(None)  # nobody can sign in with a password until they set one from their invitation
    created = User.objects.bulk_create(
        [
            User(
                email=p.email,
                first_name=p.rows[0].first_name,
                last_name=p.rows[0].last_name,
                language=p.rows[0].language or settings.LANGUAGE_CODE,
                time_zone=p.rows[0].time_zone,
                password=unusable,
            )
            for p in new_people
        ],
        batch_size=1000,
    )
    for person, user in zip(new_people, created, strict=True):
        person.user = user
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=False, primary=True) for u in created], batch_size=1000
    )
    Invitation.objects.bulk_create([Invitation(user=u, invited_by=invited_by) for u in created], batch_size=1000)
    progress(40)

    changed = plan.changed
    for person in changed:
        user, row = person.user, person.rows[0]
        if row.first_name:
            user.first_name, user.last_name = row.first_name, row.last_name
        user.language = row.language or user.language
        user.time_zone = row.time_zone or user.time_zone
        user.is_active = True
    User.objects.bulk_update(
        [p.user for p in changed],
        ["first_name", "last_name", "language", "time_zone", "is_active"],
        batch_size=1000,
    )
    progress(60)

    touched = [p for p in plan.people if p.status != "unchanged"]
    held = {
        (m.user_id, m.team_id): m for m in Membership.objects.filter(user__in=[p.user for p in touched if not p.is_new])
    }
    to_delete, to_update, to_create, heads = [], [], [], []
    for person in touched:
        for row in person.rows:
            if row.role == "department_head":
                heads.append(
                    Department.heads.through(department_id=departments[_key(row.department)].pk, user_id=person.user.pk)
                )
                continue
            team = teams[(_key(row.department), _key(row.team))]
            if row.role == "agent":
                to_delete += [
                    m.pk
                    for (user_id, team_id), m in held.items()
                    if user_id == person.user.pk and team_id != team.pk and m.role == "agent"
                ]
            current = held.get((person.user.pk, team.pk))
            if current is None:
                to_create.append(Membership(user=person.user, team=team, role=row.role))
            elif current.role != row.role:
                current.role = row.role
                to_update.append(current)
    Membership.objects.filter(pk__in=to_delete).delete()
    Membership.objects.bulk_update(to_update, ["role"])
    Membership.objects.bulk_create(to_create, batch_size=1000)
    Department.heads.through.objects.bulk_create(heads, ignore_conflicts=True)
    # Bulk writes send no signal: the people's names, the new departments and teams, and who is where.
    names_changed()
    memberships_changed()
    progress(100)
    return {"created": len(new_people), "changed": len(changed), "unchanged": len(plan.unchanged)}
