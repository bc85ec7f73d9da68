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
    # --- digests and leaderboards ---
}
