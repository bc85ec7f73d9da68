"""Demo data for this app, loaded by `manage.py seed_demo` after the apps before it (see that command)."""


def seed(*, today, seeded: dict) -> None:
    """Adds this app's demo data if it is missing. `seeded` holds what earlier apps created (see apps/org/demo.py)."""
