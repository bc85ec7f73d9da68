from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import override

from apps.core.cache import names_changed
from apps.org.demo import DEMO_PASSWORD, seed_organisation
from apps.org.selectors import memberships_changed

# Each app adds its demo data in this order; each step is idempotent.
DEMO_STEPS = [
    "apps.decisions.demo",
    "apps.recognition.demo",
    "apps.insights.demo",
    "apps.leaderboards.demo",
    "apps.digests.demo",
    "apps.setup.demo",
]


class Command(BaseCommand):
    help = "Loads the demo organisation Acme Support. Safe to run again: it adds only what is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load the demo even though DEBUG is off (never on a real database)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            # The demo creates an admin whose password is published in the README.
            raise CommandError("seed_demo loads demo accounts with a public password; it runs only with DEBUG on.")
        today = timezone.localdate()
        with override("en"):
            seeded = seed_organisation(today=today)
            for step in DEMO_STEPS:
                import_module(step).seed(today=today, seeded=seeded)
        # Bulk inserts send no signals: what the cache keeps per person and per name is read again.
        memberships_changed()
        names_changed()
        people = sum(len(a) for a in seeded["agents"].values()) + len(seeded["managers"]) + 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation '{seeded['organisation']}' ready: {len(seeded['teams'])} teams, {people} people. "
                f"Every demo account's password is '{DEMO_PASSWORD}'."
            )
        )
