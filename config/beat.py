"""Every periodic job, declared in one place. Each expires before its next run, so a backlog never runs twice."""

BEAT_SCHEDULE = {
    # --- recognition (notifications outbox) ---
    # --- digests and leaderboards ---
}
