"""Badges are awarded as events happen, once, at the time of the event that earned them."""

import datetime

import pytest
from django.urls import reverse

from apps.decisions.models import Decision
from apps.leaderboards.models import Badge, BadgeAward
from apps.leaderboards.services import badges_award
from tests.factories import DecisionFactory, EndorsementFactory, agent, manager

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def day(n: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, 1, 9, tzinfo=UTC) + datetime.timedelta(days=n)


def badges(user) -> dict[str, datetime.datetime]:
    return dict(BadgeAward.objects.filter(user=user).values_list("badge", "awarded_at"))


def test_it_awards_the_first_story_badge_when_a_manager_approves_it(team, django_capture_on_commit_callbacks):
    ana = agent(team)
    decision = DecisionFactory(author=ana)
    assert badges(ana) == {}

    with django_capture_on_commit_callbacks(execute=True):
        decision.status, decision.approved_at = Decision.Status.APPROVED, day(3)
        decision.save()

    assert badges(ana) == {Badge.FIRST_STORY: day(3)}


def test_it_awards_the_five_colleagues_badge_when_the_fifth_different_colleague_endorses(
    team, django_capture_on_commit_callbacks
):
    ana = agent(team)
    story = DecisionFactory(author=ana, approved=True, approved_at=day(0))
    other_story = DecisionFactory(author=ana, approved=True, approved_at=day(0))
    colleagues = [agent(team) for _ in range(5)]
    for i, colleague in enumerate(colleagues[:4]):
        EndorsementFactory(decision=story, endorser=colleague, created_at=day(i + 1))
    EndorsementFactory(decision=other_story, endorser=colleagues[0], created_at=day(6))  # the same colleague again
    badges_award(user_ids=[ana.pk])
    assert Badge.FIVE_COLLEAGUES not in badges(ana)

    with django_capture_on_commit_callbacks(execute=True):
        EndorsementFactory(decision=other_story, endorser=colleagues[4], created_at=day(7))

    assert badges(ana)[Badge.FIVE_COLLEAGUES] == day(7)


def test_it_awards_first_and_fifth_celebrations_and_ten_covered_decisions(team):
    ana = agent(team)
    for i in range(10):
        celebrated = i < 5
        DecisionFactory(
            author=ana,
            covered=True,
            coverage="organisation",
            approved=not celebrated,
            celebrated=celebrated,
            approved_at=day(i),
            celebrated_at=day(i) if celebrated else None,
        )

    badges_award()

    assert badges(ana) == {
        Badge.FIRST_STORY: day(0),
        Badge.FIRST_CELEBRATION: day(0),
        Badge.FIVE_CELEBRATIONS: day(4),
        Badge.TEN_COVERED: day(9),
    }


def test_awarding_again_changes_nothing_and_a_withdrawn_story_keeps_its_badge(team):
    ana = agent(team)
    story = DecisionFactory(author=ana, approved=True, approved_at=day(1))
    badges_award()
    Decision.objects.filter(pk=story.pk).update(status=Decision.Status.WITHDRAWN)

    badges_award()
    badges_award(user_ids=[ana.pk])

    assert BadgeAward.objects.filter(user=ana).count() == 1


def test_a_submitted_story_earns_no_badge(team):
    ana = agent(team)
    DecisionFactory(author=ana)

    badges_award()

    assert badges(ana) == {}


def test_badges_show_on_the_persons_profile(client, team):
    ana = agent(team)
    DecisionFactory(author=ana, approved=True, approved_at=day(1))
    badges_award()
    client.force_login(ana)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "First story" in page
    assert "A manager approved their first story." in page


def test_approving_and_endorsing_through_the_recognition_services_award_badges(
    team, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.recognition import services as recognition

    monkeypatch.setattr(recognition, "_enqueue_email", lambda notification_id: None)  # no broker needed here
    ana, boss = agent(team), manager(team)
    story = DecisionFactory(author=ana)
    colleagues = [agent(team) for _ in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        recognition.decision_approve(decision=story, manager=boss)
    with django_capture_on_commit_callbacks(execute=True):
        for colleague in colleagues:
            recognition.endorsement_create(decision=story, endorser=colleague)

    assert set(badges(ana)) == {Badge.FIRST_STORY, Badge.FIVE_COLLEAGUES}
