"""Nobody waits forever: a manager whose stories waited past the organisation's limit gets one reminder a day at
most, in their language, unless they turned it off; after a second limit the story also appears to the department's
heads and to admins; covered stories are approved automatically after N days of silence only when that is on.
Every test runs on a frozen clock: a story logged on Monday 16 November 2026 (UTC)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from apps.decisions.models import Decision
from apps.org.models import Organisation
from apps.recognition.models import AuditEvent, Notification, QueueReminder
from apps.recognition.selectors import ESCALATED_SHOWN, escalated_for
from apps.recognition.services import waiting_queue_nudge
from apps.recognition.waiting import working_days_before
from tests.factories import (
    DecisionFactory,
    DepartmentFactory,
    ReviewFactory,
    TeamFactory,
    UserFactory,
    agent,
    department_head,
)

pytestmark = pytest.mark.django_db

LOGGED = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)  # a Monday


def at(day: int, hour: int = 7) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=datetime.UTC)


def nudge(moment: datetime.datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return waiting_queue_nudge()


@pytest.fixture
def waiting_story(an_agent, a_manager):
    return DecisionFactory(author=an_agent, created_at=LOGGED, covered=True, coverage="organisation")


def test_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 20)
    assert working_days_before(friday, 3) == datetime.date(2026, 11, 17)
    assert working_days_before(datetime.date(2026, 11, 23), 1) == friday  # Monday → Friday


def test_a_manager_is_reminded_once_a_day_after_three_working_days(waiting_story, a_manager):
    assert nudge(at(18))["reminded"] == 0  # Wednesday: two working days
    assert nudge(at(19))["reminded"] == 1  # Thursday: three
    assert nudge(at(19, 15))["reminded"] == 0  # the same day again
    assert nudge(at(20))["reminded"] == 1  # Friday: the next reminder

    assert [m.to for m in mail.outbox] == [[a_manager.email], [a_manager.email]]
    assert mail.outbox[0].subject == "1 story has waited too long for your approval"
    assert "I waived the late fee." in mail.outbox[0].body and "/recognition/queue/" in mail.outbox[0].body
    assert QueueReminder.objects.filter(manager=a_manager).count() == 2


def test_the_reminder_speaks_the_managers_language(waiting_story, a_manager):
    a_manager.language = "es"
    a_manager.save()

    nudge(at(19))

    assert mail.outbox[0].subject == "1 historia lleva demasiado tiempo esperando tu aprobación"


def test_a_manager_who_turned_reminders_off_gets_none(client, waiting_story, a_manager):
    client.force_login(a_manager)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Email me once a day when stories have waited too long" in page
    a_manager.email_reminders = False
    a_manager.save()

    assert nudge(at(19))["reminded"] == 0 and mail.outbox == []


def test_agents_are_not_offered_a_reminder_setting(client, an_agent):
    client.force_login(an_agent)

    assert "waited too long" not in client.get(reverse("accounts:profile")).content.decode()


def test_stories_that_left_the_queue_remind_nobody(an_agent, a_manager):
    DecisionFactory(author=an_agent, created_at=LOGGED, approved=True)
    ReviewFactory(decision=DecisionFactory(author=an_agent, created_at=LOGGED))

    assert nudge(at(19))["reminded"] == 0


def test_the_organisations_limit_decides_when(waiting_story):
    Organisation.objects.update(reminder_after_days=1)

    assert nudge(at(17))["reminded"] == 1  # Tuesday


def test_after_the_second_limit_the_story_appears_to_department_heads_and_admins(client, waiting_story, team):
    head = department_head(team.department)
    admin = UserFactory(is_staff=True)
    other_head = department_head(DepartmentFactory())

    with time_machine.travel(at(24), tick=False):  # Tuesday of the next week: six working days
        assert escalated_for(user=head) == []
    assert nudge(at(25))["escalated"] == 1  # Wednesday: seven
    assert nudge(at(25, 15))["escalated"] == 0

    with time_machine.travel(at(25), tick=False):
        assert escalated_for(user=head) == [waiting_story] == escalated_for(user=admin)
        assert escalated_for(user=other_head) == []
        client.force_login(head)
        page = client.get(reverse("recognition:queue")).content.decode()
    assert "Waited too long" in page and "I waived the late fee." in page
    assert "Stories that waited too long" in page and "Your queue" not in page  # the head manages no team
    assert AuditEvent.objects.filter(verb="escalated", decision=waiting_story, actor=None).count() == 1


def test_an_agent_still_has_no_queue(client, team):
    client.force_login(agent(team))

    assert client.get(reverse("recognition:queue")).status_code == 403


def test_nothing_is_approved_automatically_unless_the_organisation_turned_it_on(waiting_story):
    assert nudge(at(30))["auto_approved"] == 0

    waiting_story.refresh_from_db()
    assert waiting_story.status == Decision.Status.SUBMITTED


def test_covered_stories_are_approved_after_the_silence_and_the_audit_trail_says_so(waiting_story, an_agent):
    Organisation.objects.update(auto_approve_after_days=5, reminder_after_days=3, escalate_after_days=7)
    above = DecisionFactory(author=an_agent, created_at=LOGGED, covered=False)

    assert nudge(at(20))["auto_approved"] == 0  # Friday: four working days
    assert nudge(at(23))["auto_approved"] == 1  # Monday: five
    assert nudge(at(23, 15))["auto_approved"] == 0

    waiting_story.refresh_from_db()
    above.refresh_from_db()
    assert waiting_story.status == "approved" and waiting_story.approved_by is None
    assert above.status == "submitted"
    event = AuditEvent.objects.get(verb="auto_approved")
    assert event.actor is None and event.decision == waiting_story and event.data["after_working_days"] == 5
    assert Notification.objects.get(kind="approved", decision=waiting_story).actor is None


def test_a_returned_story_is_not_approved_automatically(waiting_story, a_manager):
    Organisation.objects.update(auto_approve_after_days=1)
    Decision.objects.filter(pk=waiting_story.pk).update(returned_at=LOGGED, returned_by=a_manager, return_note="x")

    assert nudge(at(25))["auto_approved"] == 0


def test_the_beat_schedule_runs_the_nudge_hourly_and_expires_before_the_next_run():
    from config.beat import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["recognition-nudge-waiting"]
    assert entry["task"] == "recognition.nudge_waiting"
    assert entry["options"]["expires"] < entry["schedule"]


def test_the_escalation_limit_cannot_come_before_the_reminder():
    from django.db import IntegrityError

    Organisation.current()
    with pytest.raises(IntegrityError):
        Organisation.objects.update(reminder_after_days=5, escalate_after_days=2)


def test_another_team_manager_is_not_reminded_of_stories_they_do_not_manage(waiting_story):
    from tests.factories import manager

    stranger = manager(TeamFactory())
    nudge(at(19))

    assert all(stranger.email not in m.to for m in mail.outbox)


@pytest.mark.parametrize("count", [3, ESCALATED_SHOWN + 5])
def test_a_head_sees_the_oldest_stories_that_waited_too_long_and_how_many_more_in_constant_queries(
    client, an_agent, a_manager, team, count, django_assert_max_num_queries
):
    head = department_head(team.department)
    for n in range(count):
        DecisionFactory(author=an_agent, created_at=LOGGED + datetime.timedelta(minutes=n), action=f"Waiting {n:02d}")
    client.force_login(head)

    with time_machine.travel(at(25), tick=False), django_assert_max_num_queries(11):
        page = client.get(reverse("recognition:queue")).content.decode()

    shown = min(count, ESCALATED_SHOWN)
    assert [f"Waiting {n:02d}" in page for n in range(count)] == [True] * shown + [False] * (count - shown)
    assert ("And 5 more stories, newer than these." in page) == (count > ESCALATED_SHOWN)


def test_a_backlog_past_the_count_is_told_as_more_than(client, an_agent, a_manager, team, monkeypatch):
    monkeypatch.setattr("apps.recognition.selectors.ESCALATED_SHOWN", 2)
    monkeypatch.setattr("apps.recognition.selectors.ESCALATED_COUNTED", 5)
    head = department_head(team.department)
    for n in range(8):
        DecisionFactory(author=an_agent, created_at=LOGGED + datetime.timedelta(minutes=n), action=f"Waiting {n:02d}")
    client.force_login(head)

    with time_machine.travel(at(25), tick=False):
        page = client.get(reverse("recognition:queue")).content.decode()

    assert "Waiting 01" in page and "Waiting 02" not in page
    assert "And more than 3 other stories, newer than these." in page
