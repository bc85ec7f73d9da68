"""Weekly digests: build a week once, then deliver each person's email exactly once in effect."""

import contextlib
import dataclasses
import datetime
import logging
import time
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.bulk import BULK_JSON_BATCH, bulk_json
from apps.core.mail import is_permanent_failure
from apps.leaderboards import periods
from apps.leaderboards.models import Period, Snapshot
from apps.leaderboards.services import snapshot_for_calendar
from apps.org.models import Membership, Organisation, organisation_read_once

from . import content as digest_content
from .emails import digest_message, keep_renderings_of
from .models import Delivery, Digest, Edition

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60  # 1, 2, 4, 8 minutes between the attempts


def claim_lease() -> datetime.timedelta:
    """How long claimed deliveries stay with a worker that shows no sign of life. A live worker renews the lease
    at least every quarter of it (see `deliveries_send_batch`), and one email takes at most a few SMTP timeouts; so a
    claim older than this belongs to a worker that died, and the next tick gives its emails to another."""
    return datetime.timedelta(seconds=settings.LEEWAY_DIGEST_CLAIM_LEASE)


IN_DOUBT = (
    "Interrupted while sending: it may or may not have arrived, so it is not sent again automatically "
    "(nobody gets a digest twice). Resend it if the person did not get it."
)
# How long after its week ends a digest still goes out (retries included): the digest moment itself may be up to a
# week after the end.
RESEND_WINDOW = datetime.timedelta(days=14)


# --- When -----------------------------------------------------------------------------------------------------------


def week_start_of(moment: datetime.datetime, org: Organisation) -> datetime.date:
    return periods.starts_on(Period.WEEK, moment.astimezone(periods.org_time_zone(org)).date())


def digest_moment(org: Organisation, week_start: datetime.date) -> datetime.datetime:
    """When the digest of the week that starts on `week_start` goes out: the organisation's digest weekday and time,
    in its time zone, in the week after (the week is over by then)."""
    day = week_start + datetime.timedelta(days=7 + org.digest_weekday)
    return datetime.datetime.combine(day, org.digest_time, tzinfo=periods.org_time_zone(org))


def edition_period(org: Organisation, week_start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """A digest celebrates one calendar week, Monday to Sunday in the organisation's time zone: the week its
    leaderboard and the insights call by the same name, so the digest's ranks are the leaderboard's."""
    return periods.bounds(Period.WEEK, week_start, periods.org_time_zone(org), now=None)


# --- Building -------------------------------------------------------------------------------------------------------


@transaction.atomic
def edition_build(*, week_start: datetime.date, deliver: bool = True, now: datetime.datetime | None = None) -> Edition:
    """Builds the week's digests (every team, department and the organisation) and, with `deliver`, one delivery per
    person who gets the email. Idempotent: a second call, or a second worker, finds the week built and changes nothing.
    A fixed number of queries whatever the number of people.
    """
    now = now or timezone.now()
    org = Organisation.current()
    start, end = edition_period(org, week_start)
    edition, _created = Edition.objects.get_or_create(
        week_start=week_start, defaults={"period_start": start, "period_end": end}
    )
    # The week's row is the lock: a second builder waits here, then sees the week built.
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition.built_at is None:
        # The week's own leaderboard (final once the week is over): the ranks it tells are the ones the board shows.
        snapshot = snapshot_for_calendar(
            period=Period.WEEK, starts_on=week_start, now=now, tz=periods.org_time_zone(org)
        )
        structure = digest_content.load_structure(org)
        contents = digest_content.build_contents(
            structure=structure,
            start=edition.period_start,
            end=edition.period_end,
            snapshot=snapshot,
            previous=_previous_spotlights(week_start),
        )
        Digest.objects.bulk_create(
            [
                Digest(
                    edition=edition,
                    scope=key.partition(":")[0],
                    department=subject if key.startswith("department") else None,
                    team=subject if key.startswith("team") else None,
                    title=title,
                    content=bulk_json(contents[key]),
                )
                for key, title, subject in structure.all_scopes()
            ],
            batch_size=BULK_JSON_BATCH,
        )
        edition.built_at = now
        edition.save(update_fields=["built_at"])
    if deliver and not edition.deliveries_created:
        _create_deliveries(edition, now=now)
        # Chat channels that asked for it get the week's summary (once per week and channel), sent after commit.
        from apps.integrations.services import on_digest_built

        on_digest_built(edition)
        edition.deliveries_created = True
        edition.save(update_fields=["deliveries_created"])
    return edition


def _previous_spotlights(week_start: datetime.date) -> list[dict]:
    """For each of the last weeks (most recent first): scope key → the ids of the people featured."""
    recent = list(
        Edition.objects.filter(week_start__lt=week_start).order_by("-week_start")[: digest_content.SPOTLIGHT_MEMORY]
    )
    featured = {edition.pk: {} for edition in recent}
    digests = Digest.objects.filter(edition__in=recent).only("edition", "scope", "department", "team", "content")
    for digest in digests:
        spotlight = digest.content.get("spotlight", [])
        featured[digest.edition_id][digest_scope_key(digest)] = [p["person_id"] for p in spotlight]
    return [featured[edition.pk] for edition in recent]


def digest_scope_key(digest: Digest) -> str:
    if digest.scope == Digest.Scope.TEAM:
        return digest_content.scope_key("team", digest.team_id)
    if digest.scope == Digest.Scope.DEPARTMENT:
        return digest_content.scope_key("department", digest.department_id)
    return "organisation"


def digest_key_for(memberships: list[tuple[int, str]], team_department: dict[int, int]) -> str:
    """Which digest a person gets: their team's as an agent; as a manager of one team, that team's; of several teams
    in one department, the department's; otherwise (admins, people in no team) the organisation's."""
    agent_teams = [team for team, role in memberships if role == Membership.Role.AGENT]
    managed = {team for team, role in memberships if role == Membership.Role.MANAGER}
    if agent_teams:
        return digest_content.scope_key("team", agent_teams[0])
    if len(managed) == 1:
        return digest_content.scope_key("team", managed.pop())
    departments = {team_department[team] for team in managed}
    if len(departments) == 1:
        return digest_content.scope_key("department", departments.pop())
    return "organisation"


def recipients_by_digest_key(digests: dict[str, Digest]) -> dict[int, str]:
    """Every active person who wants the email → the key of the digest they get (a fixed number of queries).

    A team or department with nothing to celebrate this week sends its people the next wider digest that has news.
    """
    people = list(User.objects.filter(is_active=True, email_digest=True).exclude(email="").values_list("pk", flat=True))
    memberships: dict[int, list[tuple[int, str]]] = {pk: [] for pk in people}
    team_department = {}
    for user_id, team_id, role, department_id in Membership.objects.filter(user_id__in=people).values_list(
        "user_id", "team_id", "role", "team__department_id"
    ):
        memberships[user_id].append((team_id, role))
        team_department[team_id] = department_id
    return {pk: with_news_fallback(digest_key_for(memberships[pk], team_department), digests) for pk in people}


def with_news_fallback(key: str, digests: dict[str, Digest]) -> str:
    """A team or department digest with nothing to celebrate gives way to the next wider one that has news."""
    if key.startswith("team") and key in digests and not digest_content.has_news(digests[key].content):
        key = digest_content.scope_key("department", digests[key].team.department_id)
    if key not in digests or (key.startswith("department") and not digest_content.has_news(digests[key].content)):
        key = "organisation"  # also for a team or department created after the week was built
    return key


def _create_deliveries(edition: Edition, *, now) -> None:
    digests = {digest_scope_key(d): d for d in Digest.objects.filter(edition=edition).select_related("team")}
    chosen = recipients_by_digest_key(digests)
    snapshot = edition_snapshot(edition)
    personal = digest_content.personal_numbers(
        user_ids=chosen.keys(), start=edition.period_start, end=edition.period_end, snapshot=snapshot
    )
    # Created digest by digest: batches are claimed in id order, and a batch whose readers share a few digests renders
    # each of those emails once (see emails.render_digest_email), instead of once per reader.
    readers = sorted(chosen.items(), key=lambda reader: (digests[reader[1]].pk, reader[0]))
    Delivery.objects.bulk_create(
        [Delivery(edition=edition, digest=digests[key], recipient_id=pk, personal=personal[pk]) for pk, key in readers],
        ignore_conflicts=True,
    )


def edition_snapshot(edition: Edition) -> Snapshot:
    return Snapshot.objects.get(period=Period.WEEK, starts_on=edition.week_start)


# How long after a week's digest moment a missed week is still built and sent.
MISSED_WEEK_GRACE = datetime.timedelta(days=3)


# --- The weekly job -------------------------------------------------------------------------------------------------


def digests_dispatch_due(*, now: datetime.datetime | None = None) -> list[int]:
    """What the beat runs every few minutes. Once last week's digest moment has passed in the organisation's time
    zone, builds last week (once); returns the weeks that have deliveries to send now."""
    now = now or timezone.now()
    org = Organisation.current()
    last_week = week_start_of(now, org) - datetime.timedelta(days=7)
    # Last week, and the week before if its moment passed only recently: an outage of beat or workers across the turn
    # of the week must not skip a digest for good (a fresh installation does not get an old week's, though).
    for start in (last_week - datetime.timedelta(days=7), last_week):
        moment = digest_moment(org, start)
        recent = start == last_week or now - moment <= MISSED_WEEK_GRACE
        if now >= moment and recent and not Edition.objects.filter(week_start=start, deliveries_created=True).exists():
            edition_build(week_start=start, now=now)
    deliveries_release_stale(now=now)
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, edition__period_end__gte=now - RESEND_WINDOW)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("edition_id")
        .values_list("edition_id", flat=True)
        .distinct()
    )


def deliveries_release_stale(*, now: datetime.datetime) -> int:
    """After a worker died: the rows it claimed but had not started never reached the SMTP server, so they go back to
    pending; the one it was sending may or may not have arrived, so it is not sent again but shown to admins as
    failed, with a one-click resend. Returns how many were given back."""
    stale = Q(claimed_at__lt=now - claim_lease())
    released = Delivery.objects.filter(stale, status=Delivery.Status.CLAIMED).update(
        status=Delivery.Status.PENDING, claim=None
    )
    Delivery.objects.filter(stale, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED, claim=None, last_error=IN_DOUBT
    )
    return released


@dataclasses.dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    # Stopped at its deadline with emails perhaps still due: whoever called it should carry on (in a new task).
    stopped_early: bool = False


def _claim(*, edition_id: int, now, batch_size: int) -> uuid.UUID | None:
    """Claims up to `batch_size` due deliveries for this worker: a conditional UPDATE, so no two workers claim one."""
    claim = uuid.uuid4()
    with transaction.atomic():
        due = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(edition_id=edition_id, status=Delivery.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        claimed = Delivery.objects.filter(pk__in=list(due), status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CLAIMED, claim=claim, claimed_at=now
        )
    return claim if claimed else None


def _failed(delivery: Delivery, error: Exception | str, *, now, count_attempt: bool = False) -> str:
    """A send failed: it is tried again later (with backoff), unless it failed for good (the last attempt, or the mail
    server refused this message with a 5xx answer). `count_attempt`: the failure came before the send was started
    (and counted), e.g. the SMTP server refused the connection, so this attempt is counted here — otherwise retries
    would never back off."""
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS or is_permanent_failure(error):
        status, next_attempt = Delivery.Status.FAILED, None
    else:
        status = Delivery.Status.PENDING
        next_attempt = now + datetime.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    counted = {"attempts": attempts} if count_attempt else {}
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=next_attempt, claim=None, last_error=str(error)[:2000], **counted
    )
    logger.warning("Digest delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
    return status


def deliveries_send_batch(
    *, edition_id: int, batch_size: int = BATCH_SIZE, now=None, presented: dict | None = None
) -> BatchResult:
    """Claims a batch and sends it over one SMTP connection. Each email is marked `sending` just before it goes and
    `sent` just after, so a crash loses at most the one email in flight and never sends one twice.

    A fixed number of queries per batch (the readers' situations are read for the whole batch) and one statement per
    email: the UPDATE that starts an email also records the one before as sent (and, now and then, renews the lease
    on the rest of the batch). `presented`: the emails rendered for the batch before (see `_prepare`)."""
    now = now or timezone.now()
    result = BatchResult()
    claim = _claim(edition_id=edition_id, now=now, batch_size=batch_size)
    if claim is None:
        return result
    sent: Delivery | None = None  # the email the server has taken, until the next statement records it
    connection = None
    renewed = time.monotonic()
    try:
        messages = _prepare(
            claim=claim, edition_id=edition_id, now=now, result=result, presented={} if presented is None else presented
        )
        if not messages:
            return result
        connection = get_connection()
        try:
            connection.open()
        except Exception as exc:  # the server is down: every claimed email waits for its next attempt
            for delivery, _message in messages:
                _failed(delivery, exc, now=now, count_attempt=True)
            result.failed += len(messages)
            return result
        for index, (delivery, message) in enumerate(messages):
            # Rewriting every waiting row before each email would cost a batch's worth of row versions per email:
            # the lease of the rest is renewed only once a quarter of it has passed.
            renew = time.monotonic() - renewed >= claim_lease().total_seconds() / 4
            started = _advance(
                claim=claim,
                edition_id=edition_id,
                sent=sent,
                start=delivery,
                waiting=len(messages) - index,
                renew=renew,
            )
            renewed = time.monotonic() if renew else renewed
            sent = None
            if started and _send_one(delivery, message, connection=connection, now=now, result=result):
                sent = delivery
        _advance(claim=claim, edition_id=edition_id, sent=sent, start=None)
        sent = None
    except BaseException:
        # The task is being stopped (time limit, shutdown) or the database failed: an email the server has taken is
        # recorded as sent, what was not started goes back at once, for the next worker; the email in flight, if
        # any, stays `sending` and becomes "in doubt".
        # With the database gone these fail too: the original error is the one raised, and a lease later the stale
        # claims are released all the same (deliveries_release_stale).
        with contextlib.suppress(Exception):
            if sent is not None:
                _advance(claim=claim, edition_id=edition_id, sent=sent, start=None)
            Delivery.objects.filter(edition_id=edition_id, claim=claim, status=Delivery.Status.CLAIMED).update(
                status=Delivery.Status.PENDING, claim=None
            )
        raise
    finally:
        if connection is not None:
            connection.close()
    return result


def _prepare(
    *, claim: uuid.UUID, edition_id: int, now, result: BatchResult, presented: dict
) -> list[tuple[Delivery, EmailMultiAlternatives]]:
    """The batch's emails, rendered before the first one goes (so that between the server taking an email and the
    statement that records it, nothing else runs). A fixed number of queries, whatever the batch's size.

    Deliveries are made digest by digest (see `_create_deliveries`), so the last digest of one batch is often the
    first of the next: `presented`, passed from batch to batch, keeps the emails rendered for the digests of this
    batch (see emails.render_digest_email) and forgets the others."""
    from .selectors import reader_situations  # selectors builds on this module's rules

    batch = list(
        Delivery.objects.filter(edition_id=edition_id, claim=claim, status=Delivery.Status.CLAIMED)
        .select_related("recipient", "digest", "digest__edition")
        .order_by("pk")
    )
    result.claimed = len(batch)
    # Opted out (or left) since the week was built.
    gone = [d.pk for d in batch if not (d.recipient.is_active and d.recipient.email_digest and d.recipient.email)]
    if gone:
        Delivery.objects.filter(pk__in=gone, claim=claim).update(status=Delivery.Status.SKIPPED, claim=None)
        result.skipped += len(gone)
        batch = [d for d in batch if d.pk not in gone]
    situations = reader_situations(user_ids=[d.recipient_id for d in batch])
    keep_renderings_of(presented, digests=[delivery.digest for delivery in batch])
    messages = []
    with organisation_read_once():
        for delivery in batch:
            try:
                message = digest_message(
                    digest=delivery.digest,
                    recipient=delivery.recipient,
                    personal=delivery.personal,
                    delivery=delivery,
                    situation=situations[delivery.recipient_id],
                    presented=presented,
                )
            except Exception as exc:  # one email that cannot be rendered must not hold up the others
                logger.exception("Could not render digest delivery %s", delivery.pk)
                _failed(delivery, exc, now=now, count_attempt=True)
                result.failed += 1
                continue
            messages.append((delivery, message))
    return messages


def _advance(
    *,
    claim: uuid.UUID,
    edition_id: int,
    sent: Delivery | None,
    start: Delivery | None,
    waiting: int = 0,
    renew: bool = False,
) -> bool:
    """The one statement per email: records `sent` (the email the server has just taken) as sent, marks `start` as
    sending (its attempt counted, its lease fresh) and, with `renew`, renews the lease on the `waiting` claimed emails
    of the batch, `start` among them (a sign of life). Returns whether `start` is still this worker's to send: after a
    lease lost (a worker too slow for it), another worker may have it."""
    if sent is None and start is None:
        return False
    # Written out rather than built with the ORM: composing this UPDATE's CASEs took longer than running it, once per
    # email. An id of 0 matches no row.
    sent_pk, start_pk = (sent.pk if sent else 0), (start.pk if start else 0)
    status = Delivery.Status
    assignments = [
        "status = CASE WHEN id = %(sent)s THEN %(sent_status)s WHEN id = %(start)s THEN %(sending)s ELSE status END",
        "attempts = CASE WHEN id = %(start)s THEN attempts + 1 ELSE attempts END",
        "sent_at = CASE WHEN id = %(sent)s THEN %(moment)s ELSE sent_at END",
        "claim = CASE WHEN id = %(sent)s THEN NULL ELSE claim END",
        "last_error = CASE WHEN id = %(sent)s THEN '' ELSE last_error END",
    ]
    if start is not None:  # a sign of life on what this worker still holds; the sent one keeps its own
        assignments.append("claimed_at = CASE WHEN id = %(sent)s THEN claimed_at ELSE %(moment)s END")
    held = "id = %(start)s OR edition_id = %(edition)s" if renew and start is not None else "id = %(start)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Delivery._meta.db_table)} SET {', '.join(assignments)} "
            f"WHERE id = %(sent)s OR (claim = %(claim)s AND status = %(claimed)s AND ({held}))",
            {
                "sent": sent_pk,
                "start": start_pk,
                "edition": edition_id,
                "claim": claim,
                "moment": timezone.now(),
                "sent_status": status.SENT,
                "sending": status.SENDING,
                "claimed": status.CLAIMED,
            },
        )
        updated = cursor.rowcount
    if start is None:
        return False
    if updated == (sent is not None) + (waiting if renew else 1):
        return True
    # Fewer rows than this worker holds: its claim was given to another worker (see deliveries_release_stale).
    return Delivery.objects.filter(pk=start.pk, claim=claim, status=Delivery.Status.SENDING).exists()


def _send_one(delivery: Delivery, message, *, connection, now, result: BatchResult) -> bool:
    """Hands one email, already marked `sending`, to the mail server. True when the server took it."""
    message.connection = connection
    try:
        if not _hand_over(message, connection=connection):
            raise RuntimeError("The mail server did not accept the message.")
    except SoftTimeLimitExceeded:
        raise  # stopped mid-send: this one is in doubt, never retried automatically
    except Exception as exc:
        _failed(delivery, exc, now=now)
        result.failed += 1
        _reopen(connection)
        return False
    result.sent += 1
    return True


def _hand_over(message, *, connection) -> bool:
    """Gives one email to the mail server. Over SMTP as Django's backend does (its `_send`), with the bytes the digest
    makes from its language's skeleton (emails.DigestEmail); any other backend (the tests' outbox, the files of a
    machine without SMTP), or an email the skeleton cannot hold, goes through the backend itself."""
    # Django's own SMTP backend only: a subclass may write or sign emails its own way.
    ours = type(connection) is SMTPBackend and connection.connection is not None and not connection.fail_silently
    prepared = message.prepared_bytes() if ours else None
    if prepared is None:
        return connection.send_messages([message]) == 1
    encoding = message.encoding or settings.DEFAULT_CHARSET
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    connection.connection.sendmail(sanitize_address(message.from_email, encoding), recipients, prepared)
    return True


def _reopen(connection) -> None:
    """After a failed send the SMTP conversation may be broken: start a fresh one for the rest of the batch."""
    with contextlib.suppress(Exception):
        connection.close()
    try:
        connection.open()
    except Exception:
        logger.warning("Could not reconnect to the mail server; the remaining emails will fail and be retried.")


def deliveries_send_pending(
    *, edition_id: int, batch_size: int = BATCH_SIZE, now=None, until: float | None = None
) -> BatchResult:
    """Sends batch after batch until nothing is due (other workers may share the work: claims never overlap), or,
    once the time.monotonic() value `until` has passed, stops between two batches."""
    total = BatchResult()
    presented: dict = {}  # a digest whose readers span two batches is rendered once (see _prepare)
    while True:
        result = deliveries_send_batch(edition_id=edition_id, batch_size=batch_size, now=now, presented=presented)
        for field in ("claimed", "sent", "failed", "skipped"):
            setattr(total, field, getattr(total, field) + getattr(result, field))
        if not result.claimed:
            return total
        if until is not None and time.monotonic() >= until:
            total.stopped_early = True
            return total


def next_retry_in(*, edition_id: int, now=None) -> float | None:
    """Seconds until the earliest waiting retry of this week, or None when nothing waits."""
    now = now or timezone.now()
    earliest = Delivery.objects.filter(
        edition_id=edition_id, status=Delivery.Status.PENDING, next_attempt_at__isnull=False
    ).aggregate(at=Min("next_attempt_at"))["at"]
    return None if earliest is None else max(1.0, (earliest - now).total_seconds())


def pending_batches(*, edition_id: int) -> int:
    pending = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.PENDING).count()
    return -(-pending // BATCH_SIZE)


@transaction.atomic
def deliveries_retry(*, delivery_ids: list[int]) -> int:
    """An admin's decision to try failed deliveries again (e.g. after fixing the mail server)."""
    return Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=None, claim=None
    )


def digest_unsubscribe(*, user: User) -> None:
    """Stops the weekly email (the profile has the same switch); this week's unsent email is skipped too."""
    User.objects.filter(pk=user.pk).update(email_digest=False)
    Delivery.objects.filter(recipient=user, status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
