import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.decisions.models import Decision
from apps.digests import services
from apps.digests.models import Delivery, Digest
from apps.leaderboards.periods import iso_week_label
from apps.org.models import Organisation


class _DryRun(Exception):
    pass


def parse_week(value: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})-W(\d{2})", value.strip())
    if not match:
        raise CommandError(f"Give the week as an ISO week, like 2026-W47 (got {value!r}).")
    try:
        return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise CommandError(f"There is no week {value}.") from exc


class Command(BaseCommand):
    help = (
        "Builds a week's digests and sends the emails still missing (for backfills and checks). "
        "With --dry-run, shows what would be built and sent and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help="The ISO week the digest celebrates, e.g. 2026-W47")
        parser.add_argument("--dry-run", action="store_true", help="Preview only: nothing is saved or sent.")

    def handle(self, *args, week, dry_run, **options):
        week_start = parse_week(week)
        org = Organisation.current()
        moment = services.digest_moment(org, week_start)
        now = timezone.now()
        # A dry run answers exactly as the real run would: a week that cannot be sent is refused by both.
        if moment > now:
            raise CommandError(f"The digest time of {week} ({moment:%a %d %b %Y %H:%M %Z}) has not come yet.")
        first_story = Decision.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first_story is None or moment < first_story:
            since = f"the first story was logged on {first_story:%Y-%m-%d}" if first_story else "no story is logged yet"
            raise CommandError(f"{week} is before Leeway was in use ({since}): there is no digest to build for it.")
        try:
            with transaction.atomic():
                # What a dead worker held is sent now (its email in flight becomes "in doubt", for an admin).
                services.deliveries_release_stale(now=now)
                edition = services.edition_build(week_start=week_start, now=now)
                self._report(edition, dry_run=dry_run)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved or sent."))
            return
        result = services.deliveries_send_pending(edition_id=edition.pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"{week}: {result.sent} sent, {result.failed} failed (will be retried), {result.skipped} skipped."
            )
        )

    def _report(self, edition, *, dry_run: bool) -> None:
        span = f"{edition.period_start:%Y-%m-%d %H:%M %Z} to {edition.period_end:%Y-%m-%d %H:%M %Z}"
        self.stdout.write(f"{iso_week_label(edition.week_start)}: from {span}")
        for digest in Digest.objects.filter(edition=edition).order_by("scope", "title"):
            content = digest.content
            self.stdout.write(
                f"  {digest.get_scope_display():<12} {digest.title:<30} "
                f"celebrated {len(content['celebrated'])}, most endorsed {len(content['most_endorsed'])}, "
                f"first stories {len(content['first_stories'])}, trust statements {len(content['trust'])}, "
                f"badges {len(content['badges'])}, stories logged {content['numbers']['decisions']}"
            )
        waiting = Delivery.objects.filter(edition=edition, status=Delivery.Status.PENDING).count()
        sent = Delivery.objects.filter(edition=edition, status=Delivery.Status.SENT).count()
        verb = "would be sent" if dry_run else "to send"
        self.stdout.write(f"  emails: {waiting} {verb}, {sent} already sent")
