"""The benchmark behind `make bench` / `manage.py bench`: pages, the leaderboard refresh, the weekly digest job and the
feed's throughput under gunicorn, on an organisation made by `seed_scale`.

Each measurement runs on the database as it is (the command gives each size a database of its own). VACUUM ANALYZE
runs after seeding and before each measured job, as autovacuum would in production (these machines run PostgreSQL with
autovacuum off), and the output says so.
"""

import datetime
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.models import Category, Decision
from apps.digests.models import Digest, Edition
from apps.insights.figures import figures_warm
from apps.leaderboards import periods
from apps.leaderboards.models import Period, Snapshot
from apps.org.models import Membership, Organisation

from .cache import names_changed
from .scale import EMAIL_DOMAIN, vacuum_analyze


def _people() -> dict[str, User]:
    """One person of each role in the scale organisation: an agent with stories, their manager, a head, the admin."""
    manager_membership = (
        Membership.objects.filter(role=Membership.Role.MANAGER, user__email__endswith=f"@{EMAIL_DOMAIN}")
        .select_related("user", "team")
        .order_by("team_id")
        .first()
    )
    team = manager_membership.team
    agent = (
        User.objects.filter(memberships__team=team, memberships__role=Membership.Role.AGENT)
        .annotate(n=Count("decisions"))
        .order_by("-n", "pk")
        .first()
    )
    head = team.department.heads.first()
    admin = User.objects.filter(is_staff=True, email__endswith=f"@{EMAIL_DOMAIN}").first()
    return {"agent": agent, "manager": manager_membership.user, "head": head, "admin": admin}


FEED_WRITTEN_AFRESH = "feed, every card written afresh"
# Run before each request of a page (untimed): what makes its cached parts be written again.
BEFORE_EACH_REQUEST = {FEED_WRITTEN_AFRESH: names_changed}


def pages(people: dict[str, User]) -> list[tuple[str, str, str]]:
    """(name, role, url) of every main page."""
    # The latest celebrated story (the fullest page: who celebrated it and their note), the same kind at each size.
    story = Decision.objects.shared().filter(status=Decision.Status.CELEBRATED).order_by("-celebrated_at").first()
    digest = Digest.objects.filter(scope=Digest.Scope.ORGANISATION).order_by("-edition__week_start").first()
    # A week built but never sent (the seed builds eight without deliveries; the digest job sends only last week's):
    # its preview works out what the person would get.
    unsent = (
        Digest.objects.filter(scope=Digest.Scope.ORGANISATION, edition__deliveries_created=False)
        .order_by("-edition__week_start")
        .first()
    )
    found = [
        ("feed", "agent", "/"),
        # The same page for the first reader after a name changed: every card and the filters written afresh.
        (FEED_WRITTEN_AFRESH, "agent", "/"),
        # Search ranks the latest matches of a common word, and finds a word nowhere without reading the history.
        ("feed search, a common word", "agent", "/?q=refund"),
        ("feed search, a word found nowhere", "agent", "/?q=zzyzx"),
        ("precedents while typing", "agent", "/stories/new/precedents/?situation=customer+charged+twice+refund"),
        ("story detail", "agent", f"/stories/{story.pk}/" if story else None),
        ("my stories", "agent", "/stories/mine/"),
        ("playbook", "agent", "/stories/playbook/"),
        ("profile", "agent", "/me/profile/"),
        ("notifications", "agent", "/recognition/notifications/"),
        ("queue (manager)", "manager", "/recognition/queue/"),
        ("queue (head)", "head", "/recognition/queue/"),
        ("queue (admin)", "admin", "/recognition/queue/"),
    ]
    for board, path in (("people", "/leaderboards/"), ("teams", "/leaderboards/teams/")):
        for period in ("this-week", "this-quarter", "all-time"):
            found.append((f"leaderboard {board} {period}", "agent", f"{path}?period={period}"))
    # Filtered boards add up the snapshot's rows (the unfiltered ones read stored totals).
    membership = people["agent"].memberships.select_related("team").first()
    category = Category.objects.filter(is_active=True).order_by("pk").first()
    if membership:
        found.append(
            (
                "leaderboard people all-time, department",
                "agent",
                f"/leaderboards/?period=all-time&scope=department-{membership.team.department_id}",
            )
        )
    if category:
        found.append(
            (
                "leaderboard people all-time, category",
                "agent",
                f"/leaderboards/?period=all-time&category={category.slug}",
            )
        )
    found += [
        ("digest archive", "agent", "/digests/"),
        ("digest page", "agent", f"/digests/{digest.pk}/" if digest else None),
        ("insights ledger", "head", "/insights/ledger/"),
        ("insights managers", "head", "/insights/managers/"),
        ("insights calibration", "admin", "/insights/calibration/"),
        ("insights autonomy", "head", "/insights/autonomy/"),
        ("insights reach", "head", "/insights/reach/"),
        ("insights me", "agent", "/insights/me/"),
        # Each insights page as the other reader who sees many teams: a head (ten teams) and an admin (all of them).
        ("insights ledger (admin)", "admin", "/insights/ledger/"),
        ("insights managers (admin)", "admin", "/insights/managers/"),
        ("insights calibration (head)", "head", "/insights/calibration/"),
        ("insights autonomy (admin)", "admin", "/insights/autonomy/"),
        ("insights reach (admin)", "admin", "/insights/reach/"),
        ("insights ledger CSV (admin)", "admin", "/insights/ledger/?csv=teams"),
        ("audit", "admin", "/recognition/audit/"),
        ("setup checklist", "admin", "/setup/"),
        ("setup people", "admin", "/setup/people/"),
        # Pages that once offered every person in one menu (a team's managers, a department's heads, whose digest).
        ("setup departments", "admin", "/setup/departments/"),
        ("setup department", "admin", f"/setup/departments/{membership.team.department_id}/" if membership else None),
        ("setup team", "admin", f"/setup/teams/{membership.team_id}/" if membership else None),
        ("setup teams", "admin", "/setup/teams/"),
        (
            "digest preview",
            "admin",
            f"/digests/preview/?person={people['agent'].email}&week={digest.edition_id}" if digest else None,
        ),
        (
            "digest preview, a week not sent",
            "admin",
            f"/digests/preview/?person={people['agent'].email}&week={unsent.edition_id}" if unsent else None,
        ),
    ]
    return [(name, role, url) for name, role, url in found if url]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure_pages(*, requests: int, log=print) -> dict:
    """p50 / p95 server time (ms) over `requests` warm requests per page (after 2 to warm up), and the query count."""
    people = _people()
    clients = {}
    for role, user in people.items():
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        clients[role] = client
    results = {}
    for name, role, url in pages(people):
        client = clients[role]
        before = BEFORE_EACH_REQUEST.get(name, lambda: None)
        for _ in range(2):
            response = client.get(url)
        before()
        with _QueryCounter() as queries:
            response = client.get(url)
        status = response.status_code
        times = []
        for _ in range(requests):
            before()
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {
            "url": url,
            "role": role,
            "status": status,
            "queries": len(queries),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 95), 1),
        }
        log(
            f"    {name:<36} {status} {results[name]['p50_ms']:>8.1f} {results[name]['p95_ms']:>8.1f} ms  "
            f"{len(queries)} queries"
        )
    return results


def _bare_aggregate(snapshots: list[Snapshot], tz) -> float:
    """Seconds for the SELECTs that compute the same scores as the refresh, without writing anything."""
    from apps.leaderboards.services import endorsement_rows, story_rows

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for snapshot in snapshots:
            for queryset in (
                story_rows(start=snapshot.start, end=snapshot.end),
                endorsement_rows(start=snapshot.start, end=snapshot.end, tz=tz),
            ):
                sql, params = queryset.query.sql_with_params()
                cursor.execute(f"SELECT count(*) FROM ({sql}) q", params)
                cursor.fetchone()
    return time.perf_counter() - started


def measure_leaderboard_refresh(*, log=print) -> dict:
    """The beat's refresh just after something that counts was written (a story approved: the score source moves),
    then a tick with nothing new; then a tick after a change that also recomputes the quarter and all time from their
    months (what a tick does once their last computation is more than RECOMPUTE_SHARE times its length ago: with the
    beat's two minutes, every tick unless that computation took over half a minute); beside them the
    bare SELECTs computing the same scores: for the periods a tick computes from the stories (the current week and
    month) and, for scale, for every current period whole."""
    from apps.leaderboards.models import Snapshot
    from apps.leaderboards.services import SUMMED_FROM_MONTHS, leaderboards_refresh, scores_changed

    log(f"    VACUUM ANALYZE before the refresh: {vacuum_analyze():.1f} s")
    now = timezone.now()
    leaderboards_refresh(now=now)  # whatever the seeding left to do (e.g. the months, once)
    scores_changed()
    # The first tick recomputes the current week and month only: the quarter and all time are as if just computed
    # after a long computation (see SLOW_COMPUTE_SECONDS), whatever their last computation took on this machine.
    Snapshot.objects.filter(period__in=SUMMED_FROM_MONTHS).update(compute_seconds=3600)
    with _QueryCounter() as queries:
        started = time.perf_counter()
        snapshots = leaderboards_refresh(now=now)
        first = time.perf_counter() - started
    started = time.perf_counter()
    leaderboards_refresh(now=now)
    idle = time.perf_counter() - started
    scores_changed()
    Snapshot.objects.filter(period__in=SUMMED_FROM_MONTHS).update(compute_seconds=0)
    started = time.perf_counter()
    leaderboards_refresh(now=now)
    full = time.perf_counter() - started
    tz = periods.org_time_zone(Organisation.current())
    recomputed = _bare_aggregate([s for s in snapshots if s.period not in SUMMED_FROM_MONTHS], tz)
    whole = _bare_aggregate(snapshots, tz)
    result = {
        "refresh_s": round(first, 3),
        "refresh_queries": len(queries),
        "idle_tick_s": round(idle, 3),
        "full_tick_s": round(full, 3),
        "bare_aggregate_s": round(recomputed, 3),
        "bare_aggregate_every_period_s": round(whole, 3),
        "ratio_to_bare": round(first / recomputed, 2) if recomputed else None,
    }
    log(
        f"    a tick after a change {first:.2f} s ({len(queries)} queries), a tick with nothing new {idle:.3f} s, "
        f"a tick after a change recomputing the quarter and all time too {full:.2f} s; bare SQL aggregate of the "
        f"periods a tick computes from stories {recomputed:.2f} s, of every period whole {whole:.2f} s"
    )
    return result


class _QueryCounter:
    """Counts the SQL statements run on a connection (the test client's requests reset `connection.queries`)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)

    def __len__(self):
        return self.count


_SINK_PROGRAM = """
import signal, sys, threading
from aiosmtpd.controller import Controller

count = 0

class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *args: stop.set())
print("ready", flush=True)
stop.wait()
controller.stop()
print(count, flush=True)
"""


class _Sink:
    """A local SMTP server (aiosmtpd) that accepts and counts every message, in a process of its own, as a real mail
    server would be: in the sender's process it would share its interpreter lock and slow every database round trip
    down with its own work."""

    def __init__(self):
        self.port = _free_port()
        self.count = 0

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SINK_PROGRAM, str(self.port)], stdout=subprocess.PIPE, text=True
        )
        self.process.stdout.readline()  # "ready"
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        output, _errors = self.process.communicate(timeout=30)
        self.count = int(output.split()[-1]) if output.split() else 0


def measure_digests(*, workers: int = 2, log=print) -> dict:
    """Last week's digest job end to end, as the beat runs it: compute the week's leaderboard, build every scope,
    create the deliveries, render and send each email to a local SMTP sink; in this process, then again with
    `workers` Celery workers sharing the week."""
    from apps.digests import services as digest_services

    org = Organisation.current()
    now = timezone.now()
    week_start = digest_services.week_start_of(now, org) - datetime.timedelta(days=7)
    Edition.objects.filter(week_start=week_start).delete()
    Snapshot.objects.filter(period=Period.WEEK, starts_on=week_start).delete()
    log(f"    VACUUM ANALYZE before the digests: {vacuum_analyze():.1f} s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with (
        _Sink() as sink,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
    ):
        with _QueryCounter() as build_queries:
            started = time.perf_counter()
            edition = digest_services.edition_build(week_start=week_start, deliver=True, now=now)
            build = time.perf_counter() - started
        recipients = edition.deliveries.count()
        with _QueryCounter() as send_queries:
            started = time.perf_counter()
            result = digest_services.deliveries_send_pending(edition_id=edition.pk, now=now)
            send = time.perf_counter() - started
    sent = sink.count
    out = {
        "recipients": recipients,
        "build_s": round(build, 3),
        "build_queries": len(build_queries),
        "send_s": round(send, 3),
        "send_queries": len(send_queries),
        "sent": result.sent,
        "received_by_sink": sent,
        "total_s": round(build + send, 3),
        "queries_per_recipient": round((len(build_queries) + len(send_queries)) / max(recipients, 1), 2),
    }
    log(
        f"    {recipients} recipients: build {build:.2f} s ({len(build_queries)} queries), send {send:.2f} s "
        f"({len(send_queries)} queries), {sent} received by the SMTP sink"
    )
    if workers:
        out["workers"] = _send_with_workers(edition, workers=workers, log=log)
        out["workers"]["total_s"] = round(build + out["workers"]["send_s"], 3)
    return out


def celery_worker_command(*arguments: str) -> list[str]:
    """A Celery worker as the tests and the benchmark start one: a single process, on Leeway's app."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        *arguments,
    ]


def _send_with_workers(edition: Edition, *, workers: int, log=print) -> dict:
    """The same week sent again, as the beat sends it: `workers` real Celery workers (one process each) on their own
    queue, fed the send tasks dispatch_due would queue; measured from the first task queued to the last email
    recorded as sent."""
    from apps.digests import services as digest_services
    from apps.digests.models import Delivery
    from apps.digests.tasks import send_pending

    Delivery.objects.filter(edition=edition).update(
        status=Delivery.Status.PENDING, claim=None, sent_at=None, attempts=0, next_attempt_at=None
    )
    queue = f"bench-{os.getpid()}"
    log_dir = settings.BASE_DIR / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes, logs = [], []
    with _Sink() as sink:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "PYTEST_XDIST_WORKER": "",
        }
        try:
            for number in range(workers):
                log_path = log_dir / f"celery-worker-{number}.log"
                logs.append(log_path)
                processes.append(
                    subprocess.Popen(
                        celery_worker_command("--queues", queue, "--hostname", f"bench{number}@%h"),
                        cwd=settings.BASE_DIR,
                        env=env,
                        stdout=log_path.open("wb"),
                        stderr=subprocess.STDOUT,
                    )
                )
            deadline = time.monotonic() + 120
            while not all(" ready." in path.read_text(errors="replace") for path in logs):
                if time.monotonic() > deadline or any(process.poll() is not None for process in processes):
                    raise RuntimeError(f"The Celery workers did not start; see {log_dir}")
                time.sleep(0.2)
            started = time.perf_counter()
            for _ in range(min(digest_services.pending_batches(edition_id=edition.pk), 4) or 1):
                send_pending.apply_async((edition.pk,), queue=queue)
            unfinished = Delivery.objects.filter(edition=edition).exclude(
                status__in=[Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SKIPPED]
            )
            deadline = time.monotonic() + 3600
            while unfinished.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            send = time.perf_counter() - started
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    sent = Delivery.objects.filter(edition=edition, status=Delivery.Status.SENT).count()
    log(f"    again with {workers} Celery workers: send {send:.2f} s, {sink.count} received by the SMTP sink")
    return {"count": workers, "send_s": round(send, 3), "sent": sent, "received_by_sink": sink.count}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, *, cookie: str, seconds: int, connections: int) -> dict:
    # A long timeout: on a loaded machine a slow page is slow, not an error.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "requests_per_s": float(rps.group(1)) if rps else 0.0,
        "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 1) if p99 else None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def measure_throughput(*, seconds: int, connections: int, workers: int = 2, log=print) -> dict:
    """The feed and /healthz under gunicorn (sync workers, production settings) with wrk, one after the other."""
    if not shutil.which("wrk"):
        log("    wrk is not installed (apt-get install wrk): throughput skipped")
        return {"skipped": "wrk is not installed"}
    agent = _people()["agent"]
    client = Client(SERVER_NAME="localhost")
    client.force_login(agent)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    static_root = settings.BASE_DIR / "var" / "bench" / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LEEWAY_BASE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_URL": _database_url(),
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=settings.BASE_DIR
    )
    gunicorn = [
        python,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--access-logfile",
        "-",
    ]
    log_path = settings.BASE_DIR / "var" / "bench" / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("w")
    server = subprocess.Popen(
        gunicorn,
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        _warm(base, cookie=cookie, workers=workers)
        healthz = _wrk(base + "/healthz", cookie=cookie, seconds=seconds, connections=connections)
        feed = _wrk(base + "/", cookie=cookie, seconds=seconds, connections=connections)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log_file.close()
    if not healthz["requests_per_s"]:
        log(f"    gunicorn answered nothing; see {log_path}")
    share = round(100 * feed["requests_per_s"] / healthz["requests_per_s"], 1) if healthz["requests_per_s"] else None
    log(
        f"    gunicorn {workers} sync workers, wrk -c{connections} {seconds}s: feed {feed['requests_per_s']:.0f} req/s "
        f"(p99 {feed['p99_ms']} ms, non-2xx {feed['non_2xx']}), /healthz {healthz['requests_per_s']:.0f} req/s "
        f"→ feed at {share}% of /healthz"
    )
    return {"workers": workers, "connections": connections, "feed": feed, "healthz": healthz, "feed_share_pct": share}


def _warm(base: str, *, cookie: str, workers: int) -> None:
    """A few requests to every worker before measuring: each imports the views and fills its caches on its first."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def get(path):
        request = urllib.request.Request(base + path, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(get, ["/healthz", "/"] * workers * 3))


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


PARTS = ("pages", "refresh", "digests", "wrk")


def run_size(*, requests: int, wrk_seconds: int, wrk_connections: int, parts=PARTS, log=print) -> dict:
    """Everything measured (or the `parts` asked for) on the database as it is."""
    counts = {
        "agents": Membership.objects.filter(role=Membership.Role.AGENT).count(),
        "stories": Decision.objects.count(),
        "endorsements": Decision.endorsements.rel.related_model.objects.count(),
    }
    result = {"counts": counts}
    logging.getLogger("leeway.request").setLevel(logging.WARNING)  # a line per request would bury the table
    # As the beat would have by now (it runs every two minutes): a database seeded by an older version gets the
    # current periods' standings before its pages are read.
    from apps.leaderboards.services import leaderboards_refresh

    leaderboards_refresh()
    if "pages" in parts:
        log(f"  VACUUM ANALYZE before the pages: {vacuum_analyze():.1f} s")
        # As the beat would have by now: a large organisation's insights are read from figures worked out ahead
        # (each page in each language), and this is what working them out costs.
        started = time.perf_counter()
        worked_out = figures_warm()
        result["insights_warm"] = {"pages": worked_out, "seconds": round(time.perf_counter() - started, 2)}
        log(f"  insights worked out ahead by beat: {worked_out} pages in {result['insights_warm']['seconds']:.1f} s")
        log("  pages (p50, p95 server time over warm requests with Django's test client):")
        result["pages"] = measure_pages(requests=requests, log=log)
    if "refresh" in parts:
        log("  leaderboard refresh job:")
        result["leaderboard_refresh"] = measure_leaderboard_refresh(log=log)
    if "digests" in parts:
        log("  weekly digest job:")
        result["digests"] = measure_digests(log=log)
    if wrk_seconds and "wrk" in parts:
        log("  feed throughput:")
        result["throughput"] = measure_throughput(seconds=wrk_seconds, connections=wrk_connections, log=log)
    return result


def table(results: dict[str, dict]) -> str:
    """One table: a row per measurement, a column per size, and the ratio of the largest to the smallest."""
    sizes = list(results)
    lines = [
        "| what | " + " | ".join(f"{s} agents" for s in sizes) + (" | ratio |" if len(sizes) > 1 else " |"),
        "|---|" + "---|" * len(sizes) + ("---|" if len(sizes) > 1 else ""),
    ]

    def row(label, values, fmt, ratio_of=None):
        cells = [fmt(v) if v is not None else "—" for v in values]
        line = f"| {label} | " + " | ".join(cells) + " |"
        if len(sizes) > 1:
            a, b = (ratio_of or values)[0], (ratio_of or values)[-1]
            line += f" {b / a:.1f}× |" if a and b else " — |"
        return line

    first = results[sizes[0]]
    lines.append(
        row(
            "stories / endorsements",
            [(r["counts"]["stories"], r["counts"]["endorsements"]) for r in results.values()],
            lambda v: f"{v[0]:,} / {v[1]:,}",
            ratio_of=[r["counts"]["stories"] for r in results.values()],
        )
    )
    for name in first.get("pages", {}) if all("pages" in r for r in results.values()) else []:
        values = [r["pages"].get(name) for r in results.values()]
        lines.append(
            row(
                f"{name} (p50 / p95 ms, queries)",
                values,
                lambda v: f"{v['p50_ms']:.0f} / {v['p95_ms']:.0f}, {v['queries']}q",
                ratio_of=[v["p95_ms"] if v else None for v in values],
            )
        )
    if all("insights_warm" in r for r in results.values()):
        lines.append(
            row(
                "insights worked out ahead by beat, every 5 min (s, pages)",
                [r["insights_warm"] for r in results.values()],
                lambda v: f"{v['seconds']:.1f}, {v['pages']}",
                ratio_of=[r["insights_warm"]["seconds"] for r in results.values()],
            )
        )
    if all("leaderboard_refresh" in r for r in results.values()):
        lb = [r["leaderboard_refresh"] for r in results.values()]
        lines.append(row("leaderboard refresh after a change (s)", [v["refresh_s"] for v in lb], lambda v: f"{v:.2f}"))
        lines.append(row("refresh tick with nothing new (s)", [v["idle_tick_s"] for v in lb], lambda v: f"{v:.3f}"))
        lines.append(
            row(
                "refresh after a change, quarter and all time too (s)",
                [v.get("full_tick_s") for v in lb],
                lambda v: f"{v:.2f}" if v is not None else "–",
            )
        )
        lines.append(
            row(
                "bare SQL aggregate, periods it recomputes (s)",
                [v["bare_aggregate_s"] for v in lb],
                lambda v: f"{v:.2f}",
            )
        )
        lines.append(
            row(
                "bare SQL aggregate, every period whole (s)",
                [v.get("bare_aggregate_every_period_s") for v in lb],
                lambda v: f"{v:.2f}" if v is not None else "–",
            )
        )
    if not all("digests" in r for r in results.values()):
        return "\n".join(lines)
    dg = [r["digests"] for r in results.values()]
    lines.append(row("weekly digests: recipients", [v["recipients"] for v in dg], lambda v: f"{v:,}"))
    lines.append(row("weekly digests end to end, one process (s)", [v["total_s"] for v in dg], lambda v: f"{v:.1f}"))
    if all("workers" in v for v in dg):
        lines.append(
            row(
                f"weekly digests end to end, {dg[0]['workers']['count']} Celery workers (s)",
                [v["workers"]["total_s"] for v in dg],
                lambda v: f"{v:.1f}",
            )
        )
    lines.append(
        row(
            "weekly digests: queries (per recipient)",
            [(v["build_queries"] + v["send_queries"], v["queries_per_recipient"]) for v in dg],
            lambda v: f"{v[0]:,} ({v[1]})",
            ratio_of=[v["build_queries"] + v["send_queries"] for v in dg],
        )
    )
    tp = [r.get("throughput") for r in results.values()]
    if all(t and "feed" in t for t in tp):
        lines.append(
            row("feed under gunicorn (req/s)", [t["feed"]["requests_per_s"] for t in tp], lambda v: f"{v:.0f}")
        )
        lines.append(
            row("/healthz under gunicorn (req/s)", [t["healthz"]["requests_per_s"] for t in tp], lambda v: f"{v:.0f}")
        )
        lines.append(row("feed as % of /healthz", [t["feed_share_pct"] for t in tp], lambda v: f"{v}%"))
    return "\n".join(lines)


def stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
