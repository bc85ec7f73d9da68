"""Personal data: a person downloads everything Leeway holds about them; an admin erases a person, who becomes "a
former colleague" everywhere while others' numbers stay as they were, and the audit trail records who and when."""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.urls import reverse

from apps.accounts.models import User
from apps.decisions.models import Decision
from apps.leaderboards.models import Period
from apps.leaderboards.periods import starts_on
from apps.leaderboards.services import snapshot_for_calendar
from apps.recognition.models import AuditEvent, Endorsement, ReviewMessage
from tests.factories import (
    DecisionFactory,
    EndorsementFactory,
    NotificationFactory,
    ReviewFactory,
    ReviewMessageFactory,
    admin,
    agent,
    manager,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 18, 12, tzinfo=datetime.UTC)


@pytest.fixture
def world(team):
    with time_machine.travel(NOW, tick=False):
        ana = agent(team, first_name="Ana", last_name="García", email="ana@acme.example")
        tom = agent(team, first_name="Tom", last_name="Becker")
        grace = manager(team, first_name="Grace", last_name="Okafor")
        celebrated = DecisionFactory(author=ana, celebrated=True, action="I waived the fee for Mrs Smith.", cost=40)
        EndorsementFactory(decision=celebrated, endorser=tom, comment="Great call, Ana!")
        EndorsementFactory(decision=DecisionFactory(author=tom, approved=True), endorser=ana, comment="Nice one Tom")
        review = ReviewFactory(decision=DecisionFactory(author=ana, cost=10), opened_by=grace)
        ReviewMessageFactory(review=review, author=ana, body="I misread the policy.")
        ReviewMessageFactory(review=review, author=grace, body="It happens; let's fix the wording.")
        NotificationFactory(decision=celebrated)
    return {"ana": ana, "tom": tom, "grace": grace, "celebrated": celebrated, "review": review}


def test_a_person_downloads_their_data_as_json_and_csv(client, world):
    client.force_login(world["ana"])

    response = client.get(reverse("accounts:my_data"))

    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"profile.json", "stories.json", "stories.csv", "endorsements_given.csv", "reviews.json"} <= set(
        archive.namelist()
    )
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "ana@acme.example" and profile["teams"][0]["role"] == "agent"
    stories = json.loads(archive.read("stories.json"))
    assert [s["action"] for s in stories][0] == "I waived the fee for Mrs Smith."
    assert "Great call, Ana!" in archive.read("endorsements_received.json").decode()
    assert "Nice one Tom" in archive.read("endorsements_given.csv").decode("utf-8-sig")
    (thread,) = json.loads(archive.read("reviews.json"))
    assert [m["body"] for m in thread["messages"]] == ["I misread the policy.", "It happens; let's fix the wording."]
    assert len(json.loads(archive.read("notifications.json"))) == 1


def test_the_download_holds_only_ones_own_data(client, world):
    client.force_login(world["tom"])

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("accounts:my_data")).content))

    assert "Mrs Smith" not in archive.read("stories.json").decode()
    assert "misread" not in archive.read("reviews.json").decode()


def test_an_admin_erases_a_person_and_others_numbers_stay(client, world):
    morgan = admin(first_name="Morgan", last_name="Lee")
    ana = world["ana"]
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        week = snapshot_for_calendar(period=Period.WEEK, starts_on=starts_on(Period.WEEK, NOW.date()))
    rows_before = sorted(week.rows.values_list("person_id", "stories", "celebrations", "endorsements"))
    ledger_before = sorted(Decision.objects.values_list("cost", "outcome", "status"))
    client.force_login(morgan)

    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        client.post(reverse("setup:person_erase", args=[ana.pk]), {"confirm_email": "ana@acme.example"})

    ana.refresh_from_db()
    assert ana.display_name == "a former colleague" and not ana.is_active and not ana.has_usable_password()
    assert "García" not in str(User.objects.filter(pk=ana.pk).values().get())
    assert not Decision.objects.filter(action__contains="Mrs Smith").exists()
    assert not Endorsement.objects.filter(comment="Nice one Tom").exists()
    assert not ReviewMessage.objects.filter(review=world["review"]).exists()
    assert Endorsement.objects.count() == 2
    assert sorted(week.rows.values_list("person_id", "stories", "celebrations", "endorsements")) == rows_before
    assert rows_before
    assert sorted(Decision.objects.values_list("cost", "outcome", "status")) == ledger_before
    event = AuditEvent.objects.get(verb="person_erased")
    assert event.actor == morgan and event.created_at == NOW + datetime.timedelta(days=1) and event.data == {}

    client.force_login(world["tom"])
    story = client.get(reverse("decisions:detail", args=[world["celebrated"].pk])).content.decode()
    assert "a former colleague" in story and "García" not in story
    client.logout()
    client.post(reverse("account_login"), {"login": "ana@acme.example", "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session


def test_erasing_needs_the_address_typed_and_an_admin(client, world):
    ana = world["ana"]
    client.force_login(world["grace"])
    assert client.post(reverse("setup:person_erase", args=[ana.pk]), {"confirm_email": ana.email}).status_code == 403

    client.force_login(admin())
    response = client.post(reverse("setup:person_erase", args=[ana.pk]), {"confirm_email": "wrong"}, follow=True)

    assert "Type the person&#x27;s email address to confirm. Nothing was erased." in response.content.decode()
    ana.refresh_from_db()
    assert ana.erased_at is None and ana.first_name == "Ana"


def test_the_audit_trail_shows_who_erased_someone_and_when_not_what(client, world):
    morgan = admin(first_name="Morgan", last_name="Lee")
    client.force_login(morgan)
    client.post(reverse("setup:person_erase", args=[world["ana"].pk]), {"confirm_email": "ana@acme.example"})

    page = client.get(reverse("recognition:audit")).content.decode()

    assert "Erased a person&#x27;s personal data" in page and "Morgan Lee" in page
    assert "ana@acme.example" not in page


def test_erasing_takes_the_name_and_text_out_of_built_digests(client, world):
    from apps.digests.models import Digest, Edition

    edition = Edition.objects.create(
        week_start=datetime.date(2026, 11, 16), period_start=NOW - datetime.timedelta(days=7), period_end=NOW
    )
    ana = world["ana"]
    digest = Digest.objects.create(
        edition=edition,
        scope="organisation",
        title="Acme",
        content={
            "celebrated": [{"id": 1, "author": "Ana García", "author_id": ana.pk, "action": "Mrs Smith's fee"}],
            "leaders": [{"person_id": ana.pk, "name": "Ana García", "score": 12}, {"name": "Tom Becker", "score": 9}],
        },
    )
    client.force_login(admin())

    client.post(reverse("setup:person_erase", args=[ana.pk]), {"confirm_email": "ana@acme.example"})

    digest.refresh_from_db()
    assert "García" not in str(digest.content) and "Mrs Smith" not in str(digest.content)
    assert digest.content["leaders"] == [
        {"person_id": ana.pk, "name": "a former colleague", "score": 12},
        {"name": "Tom Becker", "score": 9},
    ]
