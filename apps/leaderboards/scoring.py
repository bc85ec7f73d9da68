"""How the leaderboards score: the one place that says what a point is worth.

Money never counts, reviews never subtract and giving endorsements earns nothing: only what a person's stories
earned from managers and colleagues does.
"""

# Each story of yours that a manager approved in the period.
POINTS_PER_STORY = 10
# More when a manager celebrated it.
POINTS_PER_CELEBRATION = 10
# A little more for a person's very first approved story.
POINTS_FOR_FIRST_STORY = 5
# Each endorsement that counts...
POINTS_PER_ENDORSEMENT = 1
# ...and, once per period, each different colleague whose endorsements count: breadth of recognition beats volume.
POINTS_PER_COLLEAGUE = 3

# Fairness caps (calendar weeks and months in the organisation's time zone):
# only the first endorsements a person gives in a week count, whoever receives them...
ENDORSER_WEEKLY_CAP = 5
# ...and one colleague's endorsements of the same person count at most this many times a month (no pair farming).
PAIR_MONTHLY_CAP = 3


def score(*, stories: int, celebrations: int, first_stories: int, endorsements: int, colleagues: int) -> int:
    return (
        POINTS_PER_STORY * stories
        + POINTS_PER_CELEBRATION * celebrations
        + POINTS_FOR_FIRST_STORY * first_stories
        + POINTS_PER_ENDORSEMENT * endorsements
        + POINTS_PER_COLLEAGUE * colleagues
    )


# The same sum in SQL, over columns of these names (boards rank by it). Stored standings hold its results: a release
# that changes the formula also clears `Snapshot.has_standings` of the periods not final (a data migration), so that
# every standing is worked out again, not only those of the people whose rows move (services._update_rows).
SCORE_SQL = (
    f"{POINTS_PER_STORY} * stories + {POINTS_PER_CELEBRATION} * celebrations + {POINTS_FOR_FIRST_STORY} * first_stories"
    f" + {POINTS_PER_ENDORSEMENT} * endorsements + {POINTS_PER_COLLEAGUE} * colleagues"
)


def formula() -> dict:
    """The numbers the leaderboard page explains in plain words."""
    return {
        "story": POINTS_PER_STORY,
        "celebration": POINTS_PER_CELEBRATION,
        "first_story": POINTS_FOR_FIRST_STORY,
        "endorsement": POINTS_PER_ENDORSEMENT,
        "colleague": POINTS_PER_COLLEAGUE,
        "weekly_cap": ENDORSER_WEEKLY_CAP,
        "pair_cap": PAIR_MONTHLY_CAP,
    }
