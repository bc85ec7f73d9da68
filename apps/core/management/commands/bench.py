import json
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from apps.accounts.models import User
from apps.core import bench
from apps.core.scale import EMAIL_DOMAIN, seed_scale


class Command(BaseCommand):
    help = (
        "Measures Leeway on organisations of several sizes in one run: every main page (p50/p95 server time over warm "
        "requests, query count), the leaderboard refresh beside the bare SQL aggregate, the weekly digest job end to "
        "end (to a local SMTP sink) and the feed's throughput under gunicorn with wrk beside /healthz. Each size gets a"
        " database of its own, <DATABASE NAME>_bench_<agents>x<weeks>, seeded once by seed_scale (kept for the next "
        "run with --reuse). Prints one table and saves JSON under var/bench/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000", help="Agents per organisation, comma-separated.")
        parser.add_argument("--weeks", type=int, default=26)
        parser.add_argument("--requests", type=int, default=50, help="Warm requests per page.")
        parser.add_argument("--wrk-seconds", type=int, default=10, help="0 skips the gunicorn/wrk part.")
        parser.add_argument("--wrk-connections", type=int, default=16)
        parser.add_argument("--reuse", action="store_true", help="Keep a size's database if it is already seeded.")
        parser.add_argument(
            "--same-database", action="store_true", help="Measure (and seed if empty) the configured database only."
        )
        parser.add_argument(
            "--parts", default=",".join(bench.PARTS), help="What to measure: pages, refresh, digests, wrk."
        )
        parser.add_argument("--output", default="", help="JSON file (default var/bench/bench-<time>.json).")

    def log(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(
        self,
        *args,
        sizes,
        weeks,
        requests,
        wrk_seconds,
        wrk_connections,
        reuse,
        same_database,
        output,
        parts,
        **options,
    ):
        agents_per_size = [int(s) for s in sizes.split(",") if s.strip()]
        base_name = connection.settings_dict["NAME"]
        results = {}
        for agents in agents_per_size:
            self.log(f"== {agents} agents × {weeks} weeks")
            if not same_database:
                self._use_database(f"{base_name}_bench_{agents}x{weeks}", reuse=reuse)
            cache.clear()
            if not User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
                self.log("  seeding (VACUUM ANALYZE after seeding)…")
                seed_scale(agents=agents, weeks=weeks, log=self.log)
            results[agents] = bench.run_size(
                requests=requests,
                wrk_seconds=wrk_seconds,
                wrk_connections=wrk_connections,
                parts=[p.strip() for p in parts.split(",")],
                log=self.log,
            )
        if not same_database:
            self._switch(base_name)
        self.log("")
        self.log("VACUUM ANALYZE ran after seeding and before each measured job (pages, refresh, digests).")
        self.log(f"{requests} warm requests per page; times are server time in one process on a shared machine.")
        self.log(bench.table(results))
        path = Path(output) if output else Path("var") / "bench" / f"bench-{bench.stamp()}.json"
        path = path if path.is_absolute() else settings.BASE_DIR / path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"weeks": weeks, "requests": requests, "sizes": results}, indent=2, default=str))
        self.log(f"Saved {path}")

    def _switch(self, name):
        connection.close()
        connection.settings_dict["NAME"] = name

    def _use_database(self, name, *, reuse):
        db = connection.settings_dict
        params = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**params) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not reuse:
                admin.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
        self._switch(name)
        call_command("migrate", verbosity=0)
