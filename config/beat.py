"""Every periodic job, declared in one place. Each expires before its next run, so a backlog never runs twice."""

BEAT_SCHEDULE = {
    # --- recognition (notifications outbox) ---
    # Sends the notification emails that the broker missed (it was down, or a send failed). Each row is claimed
    # before it is sent, so this never sends an email twice, even next to the per-notification task.
    "recognition-drain-outbox": {
        "task": "recognition.drain_outbox",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Nobody waits forever: covered stories approved automatically (when the organisation turned it on), stories
    # escalated to department heads, and at most one reminder a day per manager. Hourly, so each manager's reminder
    # comes early in their own day; a repeated run sends nothing twice.
    "recognition-nudge-waiting": {
        "task": "recognition.nudge_waiting",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # --- digests and leaderboards ---
    # Builds the week's digests once the organisation's digest day and time has passed (in its time zone), then
    # sends what is due. Checking often makes the settings, not this schedule, decide when digests go out.
    "digests-dispatch-due": {"task": "digests.dispatch_due", "schedule": 300.0, "options": {"expires": 240}},
    # Keeps the current week, month, quarter and all time fresh; finalises periods that ended; awards missed badges.
    "leaderboards-refresh": {"task": "leaderboards.refresh", "schedule": 120.0, "options": {"expires": 100}},
}
