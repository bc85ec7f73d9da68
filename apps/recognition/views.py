"""Thin views: an access helper, a form, a service call, a redirect (or an htmx partial)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.converters import as_id
from apps.decisions.models import Decision
from apps.decisions.selectors import can_manage_decision
from apps.org.selectors import is_manager, oversight_roles, stand_in_teams_for, teams_managed_by

from . import selectors, services
from .forms import (
    CelebrateForm,
    EndorseForm,
    EndorsementCommentForm,
    LessonShareForm,
    ReturnForm,
    ReviewCloseForm,
    ReviewMessageForm,
    ReviewOpenForm,
)
from .models import AuditEvent, Review
from .services import ActionRefused

# --- access helpers -----------------------------------------------------------------------------------------------


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _visible_decision(request: HttpRequest, pk: int) -> Decision:
    """The decision if the person may read it; 404 otherwise (we do not confirm that it exists)."""
    decision = selectors.decision_for_viewer(pk=pk, viewer=request.user)
    if decision is None:
        raise Http404
    return decision


def _managed_decision(request: HttpRequest, pk: int) -> Decision:
    """A decision the person manages: 404 if they cannot read it, 403 if they can but may not act on it."""
    decision = _visible_decision(request, pk)
    if not can_manage_decision(user=request.user, decision=decision):
        raise PermissionDenied
    return decision


def _visible_review(request: HttpRequest, decision_pk: int) -> Review:
    """A review exists for its author, the managers of the author's team and admins; for everyone else, 404."""
    review = selectors.review_for_viewer(decision_id=decision_pk, viewer=request.user)
    if review is None:
        raise Http404
    return review


# --- the manager's queue ------------------------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """A manager's queue (also a stand-in's, for teams left without a manager); department heads and admins also
    see the stories that waited too long in their teams."""
    user = request.user
    manages, heads = oversight_roles(user=user)
    acts = manages or stand_in_teams_for(user=user).exists()
    oversees = heads or user.is_staff
    if not (acts or oversees):
        raise PermissionDenied
    the_queue = selectors.manager_queue(manager=user, cursor=request.GET.get("after")) if acts else None
    escalated = selectors.escalated_for(user=user) if oversees else []
    return render(request, "recognition/queue.html", {"queue": the_queue, "escalated": escalated})


# --- a story's recognition ----------------------------------------------------------------------------------------


def _render_decision(request: HttpRequest, story: Decision, forms: dict | None = None, status: int = 200):
    context = {"decision": story, **selectors.decision_panel_context(decision=story, viewer=request.user, forms=forms)}
    return render(request, "recognition/decision.html", context, status=status)


def _endorse_response(
    request: HttpRequest, pk: int, form: EndorseForm | EndorsementCommentForm | None = None, just_endorsed=False
) -> HttpResponse:
    """htmx: the endorse buttons in their new state, plus the count and the endorsers list (on the decision page)
    or the latest comments (on a feed card)."""
    story = selectors.annotate_recognition(
        Decision.objects.select_related("author").filter(pk=pk), viewer=request.user
    ).get()
    context = {
        "decision": story,
        "endorse_form": form,
        "just_endorsed": just_endorsed,
        "next_url": _next_url(request, selectors.story_url(story)),
        "with_endorsers": bool(request.POST.get("with_endorsers")),
        "with_comments": bool(request.POST.get("with_comments")),
    }
    if context["with_endorsers"]:
        context["endorsements"] = selectors.endorsements_of(decision=story)
    if context["with_comments"]:
        prefetch_related_objects([story], selectors.latest_comments_prefetch())
    return HttpResponse(render_to_string("recognition/includes/endorse_response.html", context, request=request))


@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    story = _visible_decision(request, pk)
    if story.author_id == request.user.pk:
        raise PermissionDenied
    form = EndorseForm(request.POST)
    if form.is_valid():
        try:
            services.endorsement_create(decision=story, endorser=request.user, comment=form.cleaned_data["comment"])
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
    if request.htmx:
        return _endorse_response(request, pk, form if form.errors else None, just_endorsed=not form.errors)
    if form.errors:
        return _render_decision(request, story, forms={"endorse": form}, status=400)
    messages.success(request, _("You endorsed this story. Thank you for noticing a good call."))
    return redirect(_next_url(request, selectors.story_url(story)))


@require_POST
def endorse_comment(request: HttpRequest, pk: int) -> HttpResponse:
    story = _visible_decision(request, pk)
    form = EndorsementCommentForm(request.POST)
    if form.is_valid():
        try:
            services.endorsement_comment(decision=story, endorser=request.user, comment=form.cleaned_data["comment"])
        except ActionRefused as refusal:
            form.add_error("comment", refusal.message)
    if request.htmx:
        return _endorse_response(request, pk, form if form.errors else None)
    if form.errors:
        return _render_decision(request, story, forms={"endorse": form}, status=400)
    messages.success(request, _("Your comment is added to your endorsement."))
    return redirect(_next_url(request, selectors.story_url(story)))


@require_POST
def unendorse(request: HttpRequest, pk: int) -> HttpResponse:
    story = _visible_decision(request, pk)
    services.endorsement_delete(decision=story, endorser=request.user)
    if request.htmx:
        return _endorse_response(request, pk)
    messages.info(request, _("You took your endorsement back."))
    return redirect(_next_url(request, selectors.story_url(story)))


def _queue_item(request: HttpRequest, story: Decision, *, done: str = "", error: str = "", forms=None):
    """htmx: one queue item in its new state ("approved", "celebrated", "returned"), swapped in place. The element
    that had the focus keeps its id in the new state, so the focus stays where it was."""
    context = {"decision": story, "done": done, "error": error, "forms": forms or {}}
    return render(request, "recognition/includes/queue_item.html", context)


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    story = _managed_decision(request, pk)
    try:
        approved = services.decision_approve(decision=story, manager=request.user)
    except ActionRefused as refusal:
        if request.htmx:
            return _queue_item(request, story, error=refusal.message)
        messages.error(request, refusal.message)
    else:
        if request.htmx:
            return _queue_item(request, story, done="approved")
        if approved:
            messages.success(request, _("Approved: the story is now visible to the whole organisation."))
        else:
            messages.info(request, _("This story was already approved."))
    return redirect(_next_url(request, reverse("recognition:queue")))


@require_POST
def approve_covered(request: HttpRequest) -> HttpResponse:
    """Approves the covered stories ticked in the queue, together."""
    if not is_manager(user=request.user):
        raise PermissionDenied
    ids = [pk for pk in map(as_id, request.POST.getlist("decisions")) if pk is not None]
    chosen = Decision.objects.filter(pk__in=ids, team__in=teams_managed_by(user=request.user)).order_by("created_at")
    approved = services.decisions_approve_covered(decisions=chosen, manager=request.user)
    if approved:
        messages.success(
            request,
            ngettext(
                "Approved %(count)d covered story: it is now visible to the whole organisation.",
                "Approved %(count)d covered stories: they are now visible to the whole organisation.",
                approved,
            )
            % {"count": approved},
        )
    else:
        messages.info(request, _("Tick the covered stories you want to approve together."))
    return redirect(reverse("recognition:queue"))


@require_POST
def return_to_author(request: HttpRequest, pk: int) -> HttpResponse:
    story = _managed_decision(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.decision_return(decision=story, manager=request.user, note=form.cleaned_data["note"])
        except ActionRefused as refusal:
            form.add_error("note", refusal.message)
    if request.htmx:
        if form.errors:
            return _queue_item(request, story, forms={"return": form})
        return _queue_item(request, story, done="returned")
    if form.errors:
        messages.error(request, " ".join(form.errors["note"]))
    else:
        messages.success(
            request,
            _("The story is back with its author, with your note. It returns to your queue once they change it."),
        )
    return redirect(_next_url(request, reverse("recognition:queue")))


@require_http_methods(["GET", "POST"])
def celebrate(request: HttpRequest, pk: int) -> HttpResponse:
    story = _managed_decision(request, pk)
    form = CelebrateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            celebrated = services.decision_celebrate(
                decision=story, manager=request.user, note=form.cleaned_data["note"]
            )
            if request.htmx:
                return _queue_item(request, story, done="celebrated")
            if celebrated:
                messages.success(request, _("Celebrated! The author is told, and the story is featured in the digest."))
            else:
                messages.info(request, _("This story was already celebrated."))
            return redirect(_next_url(request, selectors.story_url(story)))
        except ActionRefused as refusal:
            form.add_error("note", refusal.message)
    if request.htmx:
        return _queue_item(request, story, forms={"celebrate": form})
    return render(
        request,
        "recognition/celebrate.html",
        {
            "decision": story,
            "form": form,
            "next": _next_url(request, ""),
            "cancel_url": _next_url(request, reverse("recognition:queue")),
        },
        status=400 if form.errors else 200,
    )


# --- blameless reviews --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_open(request: HttpRequest, pk: int) -> HttpResponse:
    story = _managed_decision(request, pk)
    return _review_start(request, story, opened_by_author=False)


@require_http_methods(["GET", "POST"])
def review_request(request: HttpRequest, pk: int) -> HttpResponse:
    story = _visible_decision(request, pk)
    if story.author_id != request.user.pk:
        raise PermissionDenied
    return _review_start(request, story, opened_by_author=True)


def _review_start(request: HttpRequest, story: Decision, *, opened_by_author: bool) -> HttpResponse:
    form = ReviewOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if opened_by_author:
                services.review_request(decision=story, author=request.user, message=form.cleaned_data["message"])
            else:
                services.review_open(decision=story, manager=request.user, message=form.cleaned_data["message"])
            return redirect("recognition:review", pk=story.pk)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
    return render(
        request,
        "recognition/review_open.html",
        {"decision": story, "form": form, "opened_by_author": opened_by_author},
        status=400 if form.errors else 200,
    )


def _render_review(request: HttpRequest, review: Review, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    decision = review.decision
    is_author = decision.author_id == request.user.pk
    can_manage = not is_author and can_manage_decision(user=request.user, decision=decision)
    is_open = review.status == Review.Status.OPEN
    context = {
        "review": review,
        "decision": decision,
        "thread": selectors.review_messages(review=review),
        "is_author": is_author,
        "can_manage": can_manage,
        "can_write": is_open and (is_author or can_manage),
        "message_form": forms.get("message") or ReviewMessageForm(),
        "close_form": forms.get("close") or ReviewCloseForm(),
        "share_form": LessonShareForm(initial={"lesson_shared": review.lesson_shared}),
    }
    return render(request, "recognition/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    the_review = _visible_review(request, pk)
    if request.method == "GET":
        return _render_review(request, the_review)
    if not services.can_take_part_in_review(user=request.user, review=the_review):
        raise PermissionDenied  # admins read reviews; the conversation is the author's and their managers'
    form = ReviewMessageForm(request.POST)
    if form.is_valid():
        try:
            services.review_message_create(review=the_review, author=request.user, body=form.cleaned_data["body"])
            return redirect(reverse("recognition:review", args=[pk]) + "#latest")
        except ActionRefused as refusal:
            form.add_error("body", refusal.message)
    return _render_review(request, the_review, forms={"message": form}, status=400)


@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    the_review = _visible_review(request, pk)
    if not can_manage_decision(user=request.user, decision=the_review.decision):
        raise PermissionDenied
    form = ReviewCloseForm(request.POST)
    if form.is_valid():
        try:
            if services.review_close(review=the_review, manager=request.user, lesson=form.cleaned_data["lesson"]):
                messages.success(request, _("The review is closed. Thank you for turning it into a lesson."))
            else:
                messages.info(request, _("This review was already closed."))
            return redirect("recognition:review", pk=pk)
        except ActionRefused as refusal:
            form.add_error("lesson", refusal.message)
    return _render_review(request, the_review, forms={"close": form}, status=400)


@require_POST
def review_share(request: HttpRequest, pk: int) -> HttpResponse:
    the_review = _visible_review(request, pk)
    if the_review.decision.author_id != request.user.pk:
        raise PermissionDenied
    form = LessonShareForm(request.POST)
    form.is_valid()  # a checkbox: absent means "no"
    shared = bool(form.cleaned_data.get("lesson_shared"))
    try:
        services.review_lesson_share(review=the_review, author=request.user, shared=shared)
        if shared:
            messages.success(request, _("Thank you: the lesson is in the playbook, without your name."))
        else:
            messages.info(request, _("The lesson is not shared in the playbook."))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("recognition:review", pk=pk)


# --- notifications and audit --------------------------------------------------------------------------------------


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    items = selectors.notifications_for(user=request.user)
    # Seeing the list is reading it: the bell's count clears (the rows keep their highlight on this page).
    services.notifications_mark_read(user=request.user)
    return render(request, "recognition/notifications.html", {"notifications": items})


@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied
    verb = request.GET.get("verb", "")
    if verb not in [*AuditEvent.Verb.values, "all"]:
        verb = ""
    return render(
        request,
        "recognition/audit.html",
        {"events": selectors.audit_events(verb=verb), "verb": verb, "verbs": AuditEvent.Verb.choices},
    )
