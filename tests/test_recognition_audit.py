"""The audit trail: who approved, celebrated, opened or closed a review, and when — visible to admins only."""

import pytest
from django.urls import reverse

from .factories import AuditEventFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return agent(TeamFactory(), is_staff=True, is_superuser=True)


def test_an_admin_sees_who_did_what_and_when(client, admin_user, an_agent, a_manager):
    AuditEventFactory(actor=a_manager, decision__author=an_agent, decision__action="I waived the late fee.")
    client.force_login(admin_user)

    page = client.get(reverse("recognition:audit")).content.decode()

    assert "Grace Okafor" in page and "Approved" in page and "I waived the late fee." in page


def test_an_admin_filters_by_what_happened(client, admin_user):
    AuditEventFactory(verb="celebrated", decision__action="I upgraded the room.")
    AuditEventFactory(verb="approved", decision__action="I waived the late fee.")
    client.force_login(admin_user)

    page = client.get(reverse("recognition:audit"), {"verb": "celebrated"}).content.decode()

    assert "I upgraded the room." in page and "I waived the late fee." not in page


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_do_not_see_the_audit_trail(client, team, role):
    client.force_login(agent(team) if role == "agent" else manager(team))

    assert client.get(reverse("recognition:audit")).status_code == 403


def test_the_django_admin_lists_the_audit_trail_read_only(client, admin_user):
    event = AuditEventFactory()
    client.force_login(admin_user)

    assert client.get(reverse("admin:recognition_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:recognition_auditevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:recognition_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )


def test_by_default_it_leaves_endorsements_out_and_everything_shows_them(client, admin_user):
    AuditEventFactory(verb="endorsed", decision__action="I upgraded the room.")
    AuditEventFactory(verb="review_closed", decision__action="I waived the late fee.")
    client.force_login(admin_user)

    default = client.get(reverse("recognition:audit")).content.decode()
    everything = client.get(reverse("recognition:audit"), {"verb": "all"}).content.decode()

    assert "I waived the late fee." in default and "I upgraded the room." not in default
    assert "I waived the late fee." in everything and "I upgraded the room." in everything
