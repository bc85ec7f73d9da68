"""Every periodic job, declared in one place. Each expires before its next run, so a backlog never runs twice."""

import os

# How often the beat asks whether digests are due (and gives a dead worker's digest emails to another).
DIGEST_CHECK_SECONDS = float(os.environ.get("LEEWAY_DIGEST_CHECK_SECONDS", "300"))

BEAT_SCHEDULE = {
    # --- recognition (notifications outbox) ---
    # Sends the notification emails that the broker missed (it was down, or a send failed). Each row is claimed
    # before it is sent, so this never sends an email twice, even next to the per-notification task.
    "recognition-drain-outbox": {
        "task": "recognition.drain_outbox",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # The same for account emails (sign-up confirmations, password resets), which the web request only queues.
    "core-drain-outbox": {"task": "core.drain_outbox", "schedule": 60.0, "options": {"expires": 50}},
    # Asks authors, once per story, what became of the customer 30 days after a shared story (claimed per story).
    "recognition-outcome-reminders": {
        "task": "recognition.send_outcome_reminders",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # --- setup (invitations) ---
    # Sends invitations that the broker missed; each is claimed before it is sent.
    "setup-send-invitations": {"task": "setup.send_invitations", "schedule": 60.0, "options": {"expires": 50}},
    # Nobody waits forever: covered stories approved automatically (when the organisation turned it on), stories
    # escalated to department heads, and at most one reminder a day per manager. Hourly, so each manager's reminder
    # comes early in their own day; a repeated run sends nothing twice.
    "recognition-nudge-waiting": {
        "task": "recognition.nudge_waiting",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # --- integrations ---
    # Hands chat and webhook messages that the broker missed (or whose retry was lost) to a worker; each is claimed
    # before it is sent, so none goes twice.
    "integrations-drain": {"task": "integrations.drain", "schedule": 60.0, "options": {"expires": 50}},
    # --- digests and leaderboards ---
    # Builds the week's digests once the organisation's digest day and time has passed (in its time zone), then
    # sends what is due. Checking often makes the settings, not this schedule, decide when digests go out.
    "digests-dispatch-due": {
        "task": "digests.dispatch_due",
        "schedule": DIGEST_CHECK_SECONDS,
        "options": {"expires": DIGEST_CHECK_SECONDS * 0.8},
    },
    # Keeps the current week, month, quarter and all time fresh; finalises periods that ended.
    "leaderboards-refresh": {"task": "leaderboards.refresh", "schedule": 120.0, "options": {"expires": 100}},
    # Awards the badges that were missed as events happened (e.g. two endorsements committed at the same instant).
    "leaderboards-award-missed-badges": {
        "task": "leaderboards.award_missed_badges",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # --- insights ---
    # Works out a large organisation's insights for the current month (each page, each language), so that readers of
    # the whole organisation open them on figures at most a few minutes old instead of waiting for them.
    "insights-warm-figures": {"task": "insights.warm_figures", "schedule": 300.0, "options": {"expires": 240}},
}
