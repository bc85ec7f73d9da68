"""Setup's writes: people, their teams, leavers, invitations and CSV imports. Keyword-only, `<entity>_<action>`."""

import logging
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.decisions import services as decision_services
from apps.decisions.models import Category, Guardrail
from apps.org.models import Department, Membership, Organisation, Team

from .importing import build_plan, import_apply
from .models import Invitation, Newcomer, PeopleImport

logger = logging.getLogger(__name__)

INVITATION_SALT = "leeway.setup.invitation"
# Imports larger than this run in a Celery worker, with a progress bar; smaller ones at once.
IMPORT_INLINE_ROWS = 500


# --- people and teams ----------------------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    language: str,
    time_zone: str,
    team: Team | None,
    role: str,
    invited_by: User,
) -> User:
    """Adds a person who cannot sign in until they set a password from the invitation they are sent."""
    user = User.objects.create_user(
        email=email, password=None, first_name=first_name, last_name=last_name, language=language, time_zone=time_zone
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    if team is not None:
        Membership.objects.create(team=team, user=user, role=role)
    Invitation.objects.create(user=user, invited_by=invited_by)
    transaction.on_commit(enqueue_invitations)
    return user


@transaction.atomic
def membership_set(*, user: User, team: Team, role: str) -> Membership:
    """Puts a person in a team with a role. An agent works in one team: making them an agent here moves them."""
    if role == Membership.Role.AGENT:
        Membership.objects.filter(user=user, role=Membership.Role.AGENT).exclude(team=team).delete()
    membership, _created = Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
    return membership


def membership_remove(*, membership: Membership) -> None:
    membership.delete()


def person_set_active(*, user: User, active: bool, by: User) -> bool:
    """Deactivates a leaver (they can no longer sign in: Django refuses inactive people, and their open sessions
    stop working at their next request) or brings them back. Their stories keep their name. Returns True if changed."""
    if user.pk == by.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    return bool(User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active))


def newcomer_welcomed(*, user: User) -> None:
    Newcomer.objects.filter(user=user, welcomed_at__isnull=True).update(welcomed_at=timezone.now())


# --- invitations ---------------------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The link's token names the invitation's latest sending: sending it again makes earlier links useless."""
    return signing.dumps([invitation.user_id, invitation.sent_at.timestamp()], salt=INVITATION_SALT)


class InvitationInvalid(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired", "used" or "invalid"


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationInvalid saying why not."""
    try:
        user_id, sent = signing.loads(token, salt=INVITATION_SALT, max_age=settings.LEEWAY_INVITATION_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise InvitationInvalid("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitationInvalid("invalid") from None
    invitation = Invitation.objects.select_related("user").filter(user_id=user_id).first()
    if invitation is None or not invitation.user.is_active:
        raise InvitationInvalid("invalid")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("used")
    if invitation.sent_at is None or abs(invitation.sent_at.timestamp() - sent) > 0.001:
        raise InvitationInvalid("expired")  # a newer invitation was sent since
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """The person chose their password: the link is used up and their address counts as confirmed."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationInvalid("used")
    user = locked.user
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    return user


def invitation_resend(*, user: User) -> bool:
    """Sends a pending invitation again (a new link; the old one stops working). False if already accepted."""
    updated = Invitation.objects.filter(user=user, accepted_at__isnull=True).update(sent_at=None)
    if not updated and not Invitation.objects.filter(user=user).exists() and not user.has_usable_password():
        Invitation.objects.create(user=user)
        updated = 1
    if updated:
        transaction.on_commit(enqueue_invitations)
    return bool(updated)


def enqueue_invitations() -> None:
    """Asks a worker to send what is waiting. A broker outage is only logged: the beat sends them within a minute."""
    from .tasks import send_invitations

    try:
        with send_invitations.app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            send_invitations.apply_async(retry=False, connection=connection)
    except Exception:
        logger.warning("Broker unavailable; invitations wait for the next beat", exc_info=True)


def invitations_send_pending(*, limit: int = 1000) -> int:
    """Sends the invitations not sent yet, over one SMTP connection. Each is claimed first (sent_at set by a
    conditional UPDATE), so two workers never send the same one; one that fails is given back for the next run."""
    from .emails import invitation_message

    waiting = list(
        Invitation.objects.filter(sent_at__isnull=True, accepted_at__isnull=True, user__is_active=True)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    connection = get_connection()
    for pk in waiting:
        now = timezone.now()
        if not Invitation.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=now, send_count=F("send_count") + 1
        ):
            continue
        invitation = Invitation.objects.select_related("user", "invited_by").get(pk=pk)
        try:
            invitation_message(invitation, token=invitation_token(invitation), connection=connection).send()
        except Exception:
            logger.warning("Invitation %s could not be sent yet", pk, exc_info=True)
            Invitation.objects.filter(pk=pk, sent_at=now).update(sent_at=None)
            continue
        sent += 1
    return sent


# --- CSV import ----------------------------------------------------------------------------------------------------


def import_progress_key(people_import_id: int) -> str:
    return f"leeway:setup:import:{people_import_id}:progress"


def import_progress(people_import_id: int) -> int:
    return cache.get(import_progress_key(people_import_id), 0)


def people_import_upload(*, data: bytes, file_name: str, by: User) -> PeopleImport:
    from .importing import decode

    text = decode(data)
    return PeopleImport.objects.create(created_by=by, file_name=file_name[:200], content=text)


@dataclass
class ImportStarted:
    in_background: bool


def people_import_confirm(*, people_import: PeopleImport) -> ImportStarted:
    """Large files go to a worker (the page shows its progress); small ones are written now."""
    plan = build_plan(people_import.content)
    if len(plan.people) > IMPORT_INLINE_ROWS:
        if PeopleImport.objects.filter(pk=people_import.pk, status=PeopleImport.Status.PREVIEWED).update(
            status=PeopleImport.Status.QUEUED
        ):
            from .tasks import run_people_import

            transaction.on_commit(lambda: run_people_import.delay(people_import.pk))
        return ImportStarted(in_background=True)
    people_import_run(people_import_id=people_import.pk)
    return ImportStarted(in_background=False)


def people_import_run(*, people_import_id: int) -> bool:
    """Writes an import all or nothing, once: the row is claimed before anything is written. Returns True if done."""
    claimed = PeopleImport.objects.filter(
        pk=people_import_id, status__in=[PeopleImport.Status.PREVIEWED, PeopleImport.Status.QUEUED]
    ).update(status=PeopleImport.Status.RUNNING)
    if not claimed:
        return False
    people_import = PeopleImport.objects.get(pk=people_import_id)
    key = import_progress_key(people_import_id)
    try:
        with transaction.atomic():
            # Read again under the transaction: what is written matches the database as it is now, not as it was
            # at the preview.
            plan = build_plan(people_import.content)
            if not plan.is_valid:
                raise ValidationError(_("The file has errors; nothing was imported."))
            result = import_apply(plan, invited_by=people_import.created_by, progress=lambda n: cache.set(key, n, 3600))
    except Exception as error:
        logger.warning("Import %s failed", people_import_id, exc_info=True)
        message = error.messages[0] if isinstance(error, ValidationError) else _("The import failed; nothing changed.")
        PeopleImport.objects.filter(pk=people_import_id).update(
            status=PeopleImport.Status.FAILED, result={"error": message}, finished_at=timezone.now()
        )
        return False
    PeopleImport.objects.filter(pk=people_import_id).update(
        status=PeopleImport.Status.DONE, result=result, finished_at=timezone.now()
    )
    if result["created"]:
        transaction.on_commit(enqueue_invitations)
    return True


# --- departments, teams, categories --------------------------------------------------------------------------------


def _save_unique(instance, message: str) -> None:
    """Saves `instance`; a name that another row already has (a unique constraint) becomes a message on `name`."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError({"name": message}) from error


@transaction.atomic
def department_save(*, department: Department, name: str, heads) -> Department:
    """Adds or renames a department and sets its active heads. A deactivated head stays one (the form never shows
    them), as a team keeps its deactivated managers: someone reactivated finds their roles again."""
    department.name = name
    if department.organisation_id is None:
        department.organisation = Organisation.current()
    _save_unique(department, _("There is already a department of this name."))
    department.heads.remove(*department.heads.filter(is_active=True).exclude(pk__in=[head.pk for head in heads]))
    department.heads.add(*heads)
    return department


def department_delete(*, department: Department) -> None:
    """Deletes an empty department; one that still has teams stays."""
    if department.teams.exists():
        raise ValidationError(
            _("%(department)s still has teams: move or delete them first.") % {"department": department.name}
        )
    department.delete()


@transaction.atomic
def team_save(*, team: Team, name: str, department: Department, managers) -> Team:
    """Adds, renames or moves a team and sets its active managers (an agent of the team made manager stops being
    its agent; managers may lead several teams)."""
    team.name, team.department = name, department
    _save_unique(team, _("This department already has a team of this name."))
    Membership.objects.filter(team=team, role=Membership.Role.MANAGER, user__is_active=True).exclude(
        user__in=managers
    ).delete()
    for user in managers:
        membership_set(user=user, team=team, role=Membership.Role.MANAGER)
    return team


@transaction.atomic
def category_save(
    *,
    category: Category,
    admin: User,
    name: str,
    name_es: str,
    name_nl: str,
    description: str,
    limit: Decimal,
    in_scope: str,
    out_of_scope: str,
    in_scope_es: str = "",
    out_of_scope_es: str = "",
    in_scope_nl: str = "",
    out_of_scope_nl: str = "",
) -> Category:
    """Adds or edits a category and its organisation guardrail. The limit goes through the guardrail service, so the
    playbook asks everyone to acknowledge it again."""
    category.name, category.name_es, category.name_nl, category.description = name, name_es, name_nl, description
    if not category.slug:
        category.slug = slugify(name)
    _save_unique(category, _("There is already a category of this name."))
    decision_services.guardrail_limit_set(admin=admin, category=category, limit=limit)
    Guardrail.objects.filter(category=category).update(
        in_scope=in_scope,
        out_of_scope=out_of_scope,
        in_scope_es=in_scope_es,
        out_of_scope_es=out_of_scope_es,
        in_scope_nl=in_scope_nl,
        out_of_scope_nl=out_of_scope_nl,
    )
    return category
