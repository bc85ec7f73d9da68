"""In a real browser: the digest archive, a digest page, the unsubscribe link and the admins' preview."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.digests.emails import unsubscribe_token
from apps.digests.services import digest_moment, edition_build, week_start_of
from apps.org.models import Organisation
from tests.factories import UserFactory, a_week_to_celebrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


@pytest.fixture
def last_week(db):
    org = Organisation.current()
    monday = week_start_of(timezone.now(), org) - datetime.timedelta(weeks=1)
    moment = digest_moment(org, monday)
    data = a_week_to_celebrate(when=moment - datetime.timedelta(days=1))
    data["edition"] = edition_build(week_start=monday, now=moment + datetime.timedelta(minutes=1))
    return data


def test_a_person_finds_their_weeks_digest_and_reads_it(page, sign_in, last_week, screenshot):
    sign_in(last_week["tom"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Digests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly celebrations")
    screenshot("digests-archive")
    page.get_by_role("link", name="Billing & Accounts your digest").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The good calls of Billing & Accounts")
    expect(page.get_by_role("heading", name="Celebrated this week")).to_be_visible()
    expect(page.get_by_text("Exactly the judgement we hope for: the customer stayed.")).to_be_visible()
    expect(page.get_by_text("Tom Becker (Billing & Accounts) shared a first story: welcome!")).to_be_visible()
    expect(page.get_by_text("Your stories were endorsed once by one colleague this week.")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Ana García")
    screenshot("digest-page")


def test_the_unsubscribe_link_asks_before_it_unsubscribes(page, last_week, screenshot):
    tom = last_week["tom"]

    page.goto(reverse("digest_unsubscribe", args=[unsubscribe_token(tom)]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop the weekly digest email?")
    screenshot("digest-unsubscribe")
    page.get_by_role("button", name="Yes, stop the digest email").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You will not get the weekly digest email any more")
    tom.refresh_from_db()
    assert not tom.email_digest


def test_an_admin_previews_a_persons_email(page, sign_in, last_week, screenshot):
    admin = UserFactory(is_staff=True, is_superuser=True, first_name="Morgan", last_name="Lee")
    sign_in(admin)

    page.goto(reverse("digests:preview"))
    page.get_by_label("Person's email address").fill(last_week["ana"].email.upper())
    page.get_by_role("button", name="Preview").click()

    frame = page.frame_locator("iframe")
    # Ana reads Leeway in Spanish, so her email is in Spanish whoever previews it.
    expect(frame.get_by_role("heading", level=1)).to_have_text("Las buenas decisiones de Billing & Accounts")
    expect(page.locator(".preview__text")).to_contain_text("Hola, Ana,")
    screenshot("digest-email-preview")
