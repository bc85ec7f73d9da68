"""A manager approves a story (shared with everyone) and may celebrate it with a public note."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from apps.decisions.models import Decision
from apps.recognition import services
from apps.recognition.models import AuditEvent, Endorsement, Notification

from .factories import DecisionFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(an_agent):
    return DecisionFactory(author=an_agent)


def _people(team):
    return {
        "the author": None,
        "an agent of the same team": lambda: agent(team),
        "an agent of another team": lambda: agent(TeamFactory()),
        "a manager of another team": lambda: manager(TeamFactory()),
        "an admin who manages no team": lambda: agent(TeamFactory(), is_staff=True),
    }


def test_it_approves_tells_the_author_and_writes_the_audit_trail(client, story, a_manager):
    client.force_login(a_manager)

    response = client.post(reverse("recognition:approve", args=[story.pk]), follow=True)

    story.refresh_from_db()
    assert story.status == Decision.Status.APPROVED
    assert story.approved_by == a_manager and story.approved_at is not None
    assert Notification.objects.get().kind == "approved"
    assert AuditEvent.objects.get().verb == "approved"
    assert "Approved: the story is now visible to the whole organisation." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("recognition:queue")


def test_approving_twice_leaves_one_approval(client, story, a_manager):
    client.force_login(a_manager)

    client.post(reverse("recognition:approve", args=[story.pk]))
    response = client.post(reverse("recognition:approve", args=[story.pk]), follow=True)

    assert "This story was already approved." in response.content.decode()
    assert AuditEvent.objects.filter(verb="approved").count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("the author", 403),
        ("an agent of the same team", 403),
        ("an agent of another team", 404),
        ("a manager of another team", 404),
        ("an admin who manages no team", 403),
    ],
)
def test_only_a_manager_of_the_authors_team_approves(client, story, team, a_manager, who, status):
    # (The team has its manager: a team without one has a stand-in, see test_setup_leavers.)
    person = _people(team)[who]
    client.force_login(story.author if person is None else person())

    response = client.post(reverse("recognition:approve", args=[story.pk]))

    assert response.status_code == status
    story.refresh_from_db()
    assert story.status == Decision.Status.SUBMITTED
    assert not AuditEvent.objects.exists() and not Notification.objects.exists()


def test_a_manager_of_another_team_who_can_read_an_approved_story_still_cannot_celebrate_it(client, an_agent):
    story = DecisionFactory(author=an_agent, approved=True)
    client.force_login(manager(TeamFactory()))

    response = client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": "Great"})

    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == Decision.Status.APPROVED


def test_a_manager_who_wrote_the_story_cannot_approve_it(client, team):
    boss = manager(team)
    own = DecisionFactory(author=boss, team=team)
    client.force_login(boss)

    response = client.post(reverse("recognition:approve", args=[own.pk]))

    assert response.status_code == 403


def test_it_celebrates_with_a_public_note_and_approves_on_the_way(client, story, a_manager):
    client.force_login(a_manager)

    response = client.post(
        reverse("recognition:celebrate", args=[story.pk]),
        {"note": "Great call, Ana — this is exactly the judgement we want.", "next": "/recognition/queue/"},
    )

    assert response.url == "/recognition/queue/"
    story.refresh_from_db()
    assert story.status == Decision.Status.CELEBRATED
    assert story.celebration_note == "Great call, Ana — this is exactly the judgement we want."
    assert story.approved_by == story.celebrated_by == a_manager
    assert list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)) == ["approved", "celebrated"]
    # One message is enough: a celebration implies the approval.
    assert list(Notification.objects.values_list("kind", flat=True)) == ["celebrated"]


def test_it_celebrates_an_approved_story_and_keeps_its_first_approval(client, an_agent, a_manager):
    story = DecisionFactory(author=an_agent, approved=True)
    first_approval = (story.approved_by, story.approved_at)
    client.force_login(a_manager)

    client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": "Well done"})

    story.refresh_from_db()
    assert (story.approved_by, story.approved_at) == first_approval
    assert story.celebrated_by == a_manager


def test_an_empty_note_is_refused_next_to_the_field(client, story, a_manager):
    client.force_login(a_manager)

    response = client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": "   "})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_note_error"' in page
    assert "Write a short note to celebrate this story." in page
    story.refresh_from_db()
    assert story.status == Decision.Status.SUBMITTED
    assert not AuditEvent.objects.exists()


def test_a_too_long_note_is_refused_and_the_text_kept(client, story, a_manager):
    client.force_login(a_manager)
    note = "Brilliant. " * 50

    response = client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": note, "next": "/x/"})

    page = response.content.decode()
    assert 'id="id_note_error"' in page
    assert note.strip() in page
    assert 'name="next" value="/x/"' in page
    story.refresh_from_db()
    assert story.celebration_note == ""


def test_the_celebrate_form_ignores_fields_it_does_not_own(client, story, a_manager):
    client.force_login(a_manager)

    client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": "Great", "cost": "0", "author": "1"})

    story.refresh_from_db()
    assert story.cost == Decimal("25.00") and story.author.email == "ana@acme.example"
    assert story.status == Decision.Status.CELEBRATED


def test_a_withdrawn_story_is_neither_approved_nor_celebrated(an_agent, a_manager):
    story = DecisionFactory(author=an_agent, status=Decision.Status.WITHDRAWN)

    with pytest.raises(services.ActionRefused):
        services.decision_approve(decision=story, manager=a_manager)
    with pytest.raises(services.ActionRefused):
        services.decision_celebrate(decision=story, manager=a_manager, note="Great")

    story.refresh_from_db()
    assert story.status == Decision.Status.WITHDRAWN


@pytest.mark.django_db(transaction=True)
class TestAtTheSameTime:
    """Double clicks and two managers acting at once, on real concurrent database connections."""

    @staticmethod
    def _at_once(count, action):
        barrier = threading.Barrier(count)
        results, errors = [], []

        def run(index):
            try:
                barrier.wait()
                results.append(action(index))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        return results

    @pytest.fixture(autouse=True)
    def _no_broker(self, monkeypatch):
        monkeypatch.setattr(services, "_enqueue_email", lambda notification_id: None)

    def test_two_managers_approving_at_once_leave_one_approval(self, story, team, a_manager):
        managers = [a_manager, manager(team)]

        results = self._at_once(2, lambda i: services.decision_approve(decision=story, manager=managers[i]))

        assert sorted(results) == [False, True]
        assert AuditEvent.objects.filter(verb="approved").count() == 1
        assert Notification.objects.count() == 1
        story.refresh_from_db()
        assert story.approved_by in managers

    def test_a_double_click_on_celebrate_leaves_one_celebration(self, story, a_manager):
        results = self._at_once(
            3, lambda i: services.decision_celebrate(decision=story, manager=a_manager, note=f"Great call {i}")
        )

        assert sorted(results) == [False, False, True]
        assert AuditEvent.objects.filter(verb="celebrated").count() == 1
        assert AuditEvent.objects.filter(verb="approved").count() == 1
        assert Notification.objects.filter(kind="celebrated").count() == 1

    def test_approving_and_celebrating_at_once_leave_one_of_each(self, story, team, a_manager):
        other = manager(team)

        def act(index):
            if index == 0:
                return services.decision_approve(decision=story, manager=a_manager)
            return services.decision_celebrate(decision=story, manager=other, note="Great")

        self._at_once(2, act)

        story.refresh_from_db()
        assert story.status == Decision.Status.CELEBRATED
        assert AuditEvent.objects.filter(verb="approved").count() == 1
        assert AuditEvent.objects.filter(verb="celebrated").count() == 1

    def test_a_double_click_on_endorse_leaves_one_endorsement(self, story, team):
        colleague = agent(team)

        results = self._at_once(
            4, lambda i: services.endorsement_create(decision=story, endorser=colleague, comment="+1")[1]
        )

        assert sorted(results) == [False, False, False, True]
        assert Endorsement.objects.count() == 1
        assert Notification.objects.filter(kind="endorsed").count() == 1
