"""The digest archive and pages in the app, and the admins' preview of anyone's email."""

import datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from apps.digests import selectors, services
from apps.digests.models import Delivery, Digest
from apps.digests.services import edition_build
from tests.factories import DepartmentFactory, TeamFactory, UserFactory, a_week_to_celebrate, agent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest of week 47 goes out on Monday at 08:00
# A reader's archive, a week's page and a digest page, however many teams and weeks there are (sessions included).
ARCHIVE_QUERIES = 11
WEEK_PAGE_QUERIES = 9
DIGEST_PAGE_QUERIES = 12


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        data = a_week_to_celebrate(when=WHEN)
    data["edition"] = edition_build(week_start=WEEK, now=AFTER)
    data["digest"] = Digest.objects.get(edition=data["edition"], team=data["team"])
    return data


def more_teams(count: int) -> list:
    """Another department's teams, each with its digest every week."""
    department = DepartmentFactory(name="Field Support")
    return [TeamFactory(name=f"Field team {i:02d}", department=department) for i in range(count)]


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, email="morgan@acme.example")


def test_the_archive_lists_the_weeks_with_the_readers_own_digest_first(client, week):
    client.force_login(week["tom"])

    page = client.get(reverse("digests:list")).content.decode()

    assert "Week 47 · 16 Nov – 22 Nov 2026" in page
    assert page.index("Billing &amp; Accounts") < page.index("your digest") < page.index("Acme Support")


def test_the_archive_shows_each_week_the_readers_digests_and_links_to_the_weeks_others(client, week):
    more_teams(3)
    edition = edition_build(week_start=WEEK - datetime.timedelta(weeks=1), now=AFTER)
    organisation = Digest.objects.get(edition=edition, scope="organisation")
    client.force_login(week["tom"])

    page = client.get(reverse("digests:list")).content.decode()

    # Week 46 was built with Field Support's department and three teams more: Tom reads his team's, its department's
    # and the organisation's digests; the four others are one click away. Week 47 had no other.
    assert "Field team" not in page and "Field Support" not in page
    assert page.count("more digest") == 1 and "4 more digests" in page
    assert f'href="{reverse("digests:week", args=[organisation.pk])}"' in page


def test_the_weeks_page_lists_every_digest_a_page_at_a_time_and_finds_one_by_name(client, week, monkeypatch):
    monkeypatch.setattr(selectors, "WEEK_DIGESTS_PER_PAGE", 5)
    more_teams(8)
    edition = edition_build(week_start=WEEK - datetime.timedelta(weeks=1), now=AFTER)
    digest = Digest.objects.get(edition=edition, team=week["team"])
    url = reverse("digests:week", args=[digest.pk])
    client.force_login(week["mei"])

    first, last = (client.get(url, {"page": n}).content.decode() for n in (1, 3))
    found = client.get(url, {"q": " team 07 "}).content.decode()
    nothing = client.get(url, {"q": "Warehouse"}).content.decode()

    # 12 digests: the organisation, two departments, Billing & Accounts and Field team 00 to 07, by name.
    assert "Page 1 of 3" in first and "Page 3 of 3" in last
    assert first.index("Acme Support") < first.index("Field Support") < first.index("Billing &amp; Accounts")
    assert "Field team 07" in last and "Field team 07" not in first
    assert "Field team 07" in found and "Field team 06" not in found and "Acme Support" not in found
    assert "No digest has that name this week." in nothing


def test_a_digest_pages_menu_offers_the_organisation_the_departments_the_readers_team_and_the_whole_week(client, week):
    more_teams(3)
    edition = edition_build(week_start=WEEK - datetime.timedelta(weeks=1), now=AFTER)
    field = Digest.objects.get(edition=edition, team__name="Field team 01")
    client.force_login(week["tom"])

    page = client.get(reverse("digests:detail", args=[field.pk])).content.decode()
    start = page.index("Other digests this week")
    menu = page[start : page.index("</details>", start)]

    assert all(name in menu for name in ("Acme Support", "Field Support", "Billing &amp; Accounts", "Field team 01"))
    assert "Field team 00" not in menu and "Field team 02" not in menu
    assert f'href="{reverse("digests:week", args=[field.pk])}"' in menu


@pytest.mark.parametrize("teams", [2, 40])
def test_the_archive_the_weeks_page_and_a_digest_page_run_a_fixed_number_of_queries(
    client, teams, django_assert_max_num_queries
):
    with time_machine.travel(WHEN, tick=False):
        data = a_week_to_celebrate(when=WHEN)
    more_teams(teams)
    for weeks_ago in range(teams // 10 + 1):
        edition_build(week_start=WEEK - datetime.timedelta(weeks=weeks_ago), now=AFTER)
    digest = Digest.objects.get(edition__week_start=WEEK, team=data["team"])
    client.force_login(data["tom"])
    client.get(reverse("digests:list"))  # sessions, caches

    with django_assert_max_num_queries(ARCHIVE_QUERIES):
        assert client.get(reverse("digests:list")).status_code == 200
    with django_assert_max_num_queries(WEEK_PAGE_QUERIES):
        assert client.get(reverse("digests:week", args=[digest.pk])).status_code == 200
    with django_assert_max_num_queries(DIGEST_PAGE_QUERIES):
        assert client.get(reverse("digests:detail", args=[digest.pk])).status_code == 200


def test_a_digest_page_shows_the_same_content_as_the_email_and_the_readers_own_line(client, week):
    client.force_login(week["tom"])
    edition_build(week_start=WEEK, now=AFTER)  # deliveries exist

    page = client.get(reverse("digests:detail", args=[week["digest"].pk])).content.decode()

    assert week["celebrated"].action in page
    assert f'href="{reverse("decisions:detail", args=[week["celebrated"].pk])}"' in page
    assert "Exactly the judgement we hope for: the customer stayed." in page
    assert "Tom Becker (Billing &amp; Accounts) shared a first story: welcome!" in page
    assert "I trust you to waive delivery charges." in page
    assert "Your stories were endorsed once by one colleague this week." in page
    assert "review" not in page.lower()


def test_an_unknown_digest_is_not_found(client, week):
    client.force_login(week["tom"])

    assert client.get(reverse("digests:detail", args=[99999])).status_code == 404


def test_an_admin_previews_anyones_email_as_html_and_text(client, week, admin_user):
    client.force_login(admin_user)
    query = {"person": week["ana"].email, "week": week["edition"].pk}

    page = client.get(reverse("digests:preview"), query)
    html = client.get(reverse("digests:preview_html"), query)

    assert page.status_code == html.status_code == 200
    text = page.content.decode()
    assert "Billing &amp; Accounts, semana 47: 1 historia celebrada" in text  # in Ana's language
    assert "List-Unsubscribe=One-Click" in text
    assert "Hola, Ana," in text  # the plain-text body
    assert '<html lang="es">' in html.content.decode()
    assert (
        "'unsafe-inline'" in html["Content-Security-Policy"] and "script-src 'none'" in html["Content-Security-Policy"]
    )
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


def test_the_preview_names_a_person_by_their_address_and_says_when_nobody_has_it(client, week, admin_user):
    client.force_login(admin_user)

    found = client.get(reverse("digests:preview"), {"person": week["ana"].email.upper(), "week": week["edition"].pk})
    unknown = client.get(reverse("digests:preview"), {"person": "nobody@example.com", "week": week["edition"].pk})

    assert "Hola, Ana," in found.content.decode()
    assert found.context["person"] == week["ana"]
    assert unknown.context["form"].errors["person"] == ["Nobody active in Leeway has this address."]
    assert 'value="nobody@example.com"' in unknown.content.decode()


def test_a_delivery_in_the_admin_links_to_the_preview_of_its_email(client, week, admin_user):
    ana = week["ana"]
    delivery = Delivery.objects.get(edition=week["edition"], recipient=ana)
    client.force_login(admin_user)

    listed = client.get(reverse("admin:digests_delivery_changelist")).content.decode()
    link = reverse("digests:preview") + "?" + urlencode({"person": ana.email, "week": week["edition"].pk})

    assert str(delivery.recipient) in listed and f'href="{escape(link)}"' in listed
    assert "Hola, Ana," in client.get(link).content.decode()


@pytest.mark.parametrize("who", ["tom", "manager"])
def test_only_admins_may_preview(client, week, who):
    client.force_login(week[who])
    query = {"person": week["ana"].email, "week": week["edition"].pk}

    assert client.get(reverse("digests:preview"), query).status_code == 403
    assert client.get(reverse("digests:preview_html"), query).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, week):
    response = client.get(reverse("digests:detail", args=[week["digest"].pk]))

    assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_digest_page_groups_its_numbers_as_the_reader_writes_them(client, week):
    week["digest"].content["numbers"] |= {"decisions": 19355, "kept": 12040}
    week["digest"].save()
    client.force_login(week["tom"])

    page = client.get(reverse("digests:detail", args=[week["digest"].pk])).content.decode()

    assert "19,355" in page and "12,040 customers" in page and "19355" not in page


@pytest.mark.parametrize("teams", [1, 20])
def test_the_preview_of_someone_not_yet_sent_anything_is_what_they_will_get_whatever_the_size(
    client, admin_user, teams, django_assert_max_num_queries
):
    with time_machine.travel(WHEN, tick=False):
        data = a_week_to_celebrate(when=WHEN)
    newcomer = agent(data["team"], first_name="Nico")  # no points this week: no line on the board
    more_teams(teams)
    edition = edition_build(week_start=WEEK, now=AFTER, deliver=False)  # built, nothing sent yet
    client.force_login(admin_user)

    # Only the digests Ana could get are read, and her own line of the leaderboard, not every team's or person's.
    with django_assert_max_num_queries(23):
        page = client.get(reverse("digests:preview"), {"person": data["ana"].email, "week": edition.pk})
    digest, personal = selectors.digest_for_person(user=data["ana"], edition=edition)
    services._create_deliveries(edition, now=AFTER)
    delivery = Delivery.objects.get(edition=edition, recipient=data["ana"])

    assert "Hola, Ana," in page.content.decode()
    assert personal["rank"] is not None
    assert (digest, personal) == (delivery.digest, delivery.personal)  # what the week's sending gives her
    nico = Delivery.objects.get(edition=edition, recipient=newcomer)
    assert selectors.digest_for_person(user=newcomer, edition=edition) == (nico.digest, nico.personal)
    assert nico.personal["rank"] is None
