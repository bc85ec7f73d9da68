from django.core.management.base import BaseCommand, CommandError

from apps.core.scale import EMAIL_DOMAIN, PASSWORD, seed_scale


class Command(BaseCommand):
    help = (
        "Adds a large organisation for measuring (teams of 10 agents and a manager, about 2 stories per agent-week, "
        "3 endorsements per shared story), then refreshes leaderboards, builds past digests and runs VACUUM ANALYZE. "
        "Same seed, same organisation. Use an empty database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agents", type=int, default=1000)
        parser.add_argument("--weeks", type=int, default=26)
        parser.add_argument("--seed", type=int, default=16)
        parser.add_argument(
            "--digest-weeks", type=int, default=8, help="How many past weeks get a built digest (0: none)."
        )

    def handle(self, *args, agents, weeks, seed, digest_weeks, **options):
        self.stdout.write(f"Seeding {agents} agents × {weeks} weeks (seed {seed})…")
        try:
            result = seed_scale(agents=agents, weeks=weeks, seed=seed, digest_weeks=digest_weeks, log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['agents']} agents in {result['teams']} teams, {result['stories']} stories, "
                f"{result['endorsements']} endorsements in {result['timings']['total']:.0f} s. "
                f"Sign in as admin-00000@{EMAIL_DOMAIN} / {PASSWORD}."
            )
        )
