"""Demo data for Setup, loaded by `manage.py seed_demo` after the other apps: a pending invitation, a leaver whose
story keeps his name, and a newcomer in no team yet (the checklist names him; his welcome page tells him)."""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.models import Category, Channel, Decision, Outcome
from apps.org.demo import DEMO_PASSWORD, demo_email
from apps.org.models import Membership

from .models import Invitation


def _demo_user(first, last, language, time_zone, *, password: bool, verified: bool, **extra) -> tuple[User, bool]:
    email = demo_email(first)
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "language": language, "time_zone": time_zone, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD if password else None)
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user, created


def seed(*, today: datetime.date, seeded: dict) -> None:
    admin = seeded["admin"]
    now = timezone.now()

    # Invited two days ago by Morgan, not accepted yet: "Invited" on the People page, with "Send again".
    nina, _created = _demo_user("Nina", "Berg", "nl", "Europe/Amsterdam", password=False, verified=False)
    Membership.objects.get_or_create(user=nina, team=seeded["teams"]["Front Desk"], defaults={"role": "agent"})
    Invitation.objects.get_or_create(
        user=nina, defaults={"invited_by": admin, "sent_at": now - datetime.timedelta(days=2), "send_count": 1}
    )

    # A newcomer who signed up on his own and is in no team yet.
    _demo_user("Oscar", "Nilsson", "en", "Europe/Stockholm", password=True, verified=True)

    # A leaver: deactivated, out of every list, and his story still carries his name.
    pablo, created = _demo_user("Pablo", "Ruiz", "es", "Europe/Madrid", password=True, verified=True)
    team = seeded["teams"]["Orders & Returns"]
    if created:
        Membership.objects.create(user=pablo, team=team, role="agent", joined_on=today - datetime.timedelta(days=300))
        category = Category.objects.filter(is_active=True).first()
        if category is not None:
            happened = today - datetime.timedelta(days=40)
            Decision.objects.create(
                author=pablo,
                team=team,
                category=category,
                channel=Channel.PHONE,
                situation="A parcel was lost twice on its way to the same customer.",
                action="I sent a replacement by courier at our cost.",
                justification="Two failures in a row were ours; a third wait would have lost the customer.",
                cost=30,
                currency=seeded["organisation"].currency,
                outcome=Outcome.RETAINED,
                happened_on=happened,
                status=Decision.Status.APPROVED,
                approved_at=now - datetime.timedelta(days=39),
                approved_by=seeded["managers"]["Orders & Returns"],
                created_at=now - datetime.timedelta(days=40),
            )
        pablo.is_active = False
        pablo.save(update_fields=["is_active"])
