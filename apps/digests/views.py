from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.leaderboards.periods import week_number

from . import selectors, services
from .emails import UnsubscribeLinkExpired, digest_message, render_digest_email, user_from_unsubscribe_token
from .forms import PreviewForm, WeekSearchForm
from .models import Digest
from .presenters import edition_title, personal_line, present

PREVIEW_HEADERS = ("Content-Language", "List-Unsubscribe", "List-Unsubscribe-Post")


def digest_list(request: HttpRequest) -> HttpResponse:
    """The archive: every week's digests that concern the reader, their own first, and a link to the week's others.
    Every signed-in person may read every digest: a digest holds only shared stories."""
    page = Paginator(selectors.editions_for_archive(), selectors.ARCHIVE_WEEKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    weeks = selectors.archive_weeks(user=request.user, editions=list(page))
    for week in weeks:
        week["title"] = edition_title(week["edition"])
    return render(request, "digests/list.html", {"weeks": weeks, "page": page})


def _built_digest(pk: int) -> Digest:
    return get_object_or_404(
        Digest.objects.select_related("edition", "team", "department"), pk=pk, edition__built_at__isnull=False
    )


def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    digest = _built_digest(pk)
    delivery = selectors.delivery_of(user=request.user, edition=digest.edition)
    return render(
        request,
        "digests/detail.html",
        {
            "digest": digest,
            "edition": digest.edition,
            "week_title": edition_title(digest.edition),
            "week_number": week_number(digest.edition.week_start),
            "sections": present(digest),
            "personal_line": (
                personal_line(
                    delivery.personal,
                    selectors.reader_situation(user=request.user),
                    week=week_number(digest.edition.week_start),
                )
                if delivery
                else []
            ),
            "siblings": selectors.week_menu(user=request.user, digest=digest),
        },
    )


def digest_week(request: HttpRequest, pk: int) -> HttpResponse:
    """Every digest of the week of digest `pk`, a page at a time, to be found by name among a thousand teams."""
    digest = _built_digest(pk)
    form = WeekSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    digests = selectors.week_digests(edition=digest.edition, search=search)
    page = Paginator(digests, selectors.WEEK_DIGESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "digests/week.html",
        {
            "digest": digest,
            "edition": digest.edition,
            "week_title": edition_title(digest.edition),
            "form": form,
            "search": search,
            "page": page,
        },
    )


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """Admins: any person's digest email for a week, HTML and text, as it is (or would be) sent."""
    _staff_only(request)
    form = PreviewForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        person, edition = form.cleaned_data["person"], form.cleaned_data["week"]
        digest, personal = selectors.digest_for_person(user=person, edition=edition)
        message = digest_message(digest=digest, recipient=person, personal=personal)
        context.update(
            person=person,
            edition=edition,
            message=message,
            headers=[(name, message.extra_headers[name]) for name in PREVIEW_HEADERS],
            delivery=selectors.delivery_of(user=person, edition=edition),
        )
    return render(request, "digests/preview.html", context)


@require_GET
@xframe_options_sameorigin
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"], "frame-ancestors": ["'self'"]})
def preview_html(request: HttpRequest) -> HttpResponse:
    """The email's HTML alone, framed by the preview page. Emails carry inline styles, so this one response allows
    them (and no script at all)."""
    _staff_only(request)
    form = PreviewForm(request.GET or None)
    if not form.is_valid():
        return HttpResponse(status=404)
    person, edition = form.cleaned_data["person"], form.cleaned_data["week"]
    digest, personal = selectors.digest_for_person(user=person, edition=edition)
    _subject, _text, html = render_digest_email(digest=digest, recipient=person, personal=personal)
    return HttpResponse(html)


@login_not_required
@csrf_exempt  # mail clients' one-click POST (RFC 8058) carries no CSRF token; the signed token is the secret
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (mail scanners follow links); POST, from that form or a mail client, unsubscribes."""
    try:
        user = user_from_unsubscribe_token(token)
    except UnsubscribeLinkExpired:
        return render(request, "digests/unsubscribe.html", {"expired": True}, status=410)
    if user is None:
        return render(request, "digests/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.digest_unsubscribe(user=user)
        return render(request, "digests/unsubscribe.html", {"done": True, "person": user})
    return render(request, "digests/unsubscribe.html", {"person": user, "token": token})
