"""The REST API: thin views over the same selectors, services and forms as the pages, so every access rule is the
pages' own. What a person may not read answers 404; what they may read but not do answers 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.decisions import selectors as decision_selectors
from apps.decisions import services as decision_services
from apps.decisions.forms import DecisionForm, FeedFilterForm
from apps.decisions.models import Channel, Decision
from apps.digests.models import Digest
from apps.insights.figures import figures_for
from apps.insights.filters import InsightsFilterForm
from apps.leaderboards import periods
from apps.leaderboards import selectors as board_selectors
from apps.leaderboards.forms import LeaderboardFilterForm
from apps.org.models import Organisation
from apps.recognition import selectors as recognition_selectors
from apps.recognition import services as recognition_services
from apps.recognition.models import Endorsement

from . import serializers as s
from .pagination import LatestFirst, NewestFirst

NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="Not there, or not yours to see.")
FORBIDDEN = OpenApiResponse(s.ErrorSerializer, description="Yours to see, not to do (or a read-only token).")
UNAUTHORISED = OpenApiResponse(s.ErrorSerializer, description="No valid token or session.")
INVALID = OpenApiResponse(s.FieldErrorsSerializer, description="What is wrong, field by field.")


def _form_errors(form) -> dict:
    return {("non_field_errors" if name == "__all__" else name): list(errors) for name, errors in form.errors.items()}


def _story_context(request) -> dict:
    return {"request": request, "team_ids": decision_selectors.guardrail_detail_team_ids(user=request.user)}


def _query(request):
    """The query string for a page's filter form (forms read strings; the API adds nothing of its own)."""
    return request._request.GET


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request, rest: str):
    raise Http404


# --- stories -------------------------------------------------------------------------------------------------------

FEED_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for, in any of Leeway's languages."),
    OpenApiParameter("department", OpenApiTypes.INT, description="A department's id."),
    OpenApiParameter("team", OpenApiTypes.INT, description="A team's id."),
    OpenApiParameter("category", OpenApiTypes.INT, description="A category's id."),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
    OpenApiParameter("value", OpenApiTypes.INT, description="A company value's id."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 100 (20 unless set)."),
]


@extend_schema(
    methods=["GET"],
    operation_id="stories_list",
    summary="The feed",
    description="The stories of the feed, newest first, with its filters: every shared story, and my teams' "
    "submitted ones.",
    parameters=FEED_FILTERS,
    responses={200: s.StoryPage, 400: INVALID, 401: UNAUTHORISED},
)
@extend_schema(
    methods=["POST"],
    operation_id="stories_create",
    summary="Log a story",
    description="Logs a story as the token's owner, checked exactly as the log form checks it.",
    request=s.StoryCreateSerializer,
    responses={201: s.StorySerializer, 400: INVALID, 401: UNAUTHORISED, 403: FORBIDDEN},
)
@api_view(["GET", "POST"])
def stories(request):
    if request.method == "POST":
        return _story_create(request)
    form = FeedFilterForm(_query(request))
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    decisions = decision_selectors.feed_for_user(user=request.user, filters=form.cleaned_data)
    paginator = NewestFirst()
    page = paginator.paginate_queryset(decisions, request)
    return paginator.get_paginated_response(s.StorySerializer(page, many=True, context=_story_context(request)).data)


def _form_data(data) -> dict:
    """The JSON body as the log form's fields (`headline` is the form's `action`)."""
    if not hasattr(data, "get"):
        raise ValidationError({"non_field_errors": [_("Send the story as a JSON object.")]})
    fields = {name: data.get(name) for name in DecisionForm.Meta.fields if data.get(name) is not None}
    if data.get("headline") is not None:
        fields["action"] = data.get("headline")
    values = data.getlist("values") if hasattr(data, "getlist") else data.get("values")
    fields["values"] = values if isinstance(values, list) else ([] if values in (None, "") else [values])
    return fields


def _story_create(request):
    organisation = Organisation.current()
    form = DecisionForm(_form_data(request.data), organisation=organisation)
    if not form.is_valid():
        errors = _form_errors(form)
        if "action" in errors:
            errors["headline"] = errors.pop("action")
        raise ValidationError(errors)
    fields = {k: v for k, v in form.cleaned_data.items() if k != "values"}
    try:
        decision = decision_services.decision_submit(
            author=request.user, fields=fields, values=form.cleaned_data["values"]
        )
    except decision_services.NoTeam:
        raise ValidationError(
            {"non_field_errors": [_("You are not in a team yet, so nobody could approve your story. Ask your admin.")]}
        ) from None
    decision = decision_selectors.with_card_data(Decision.objects.filter(pk=decision.pk)).get()
    return Response(s.StorySerializer(decision, context=_story_context(request)).data, status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="stories_retrieve",
    summary="One story",
    responses={200: s.StorySerializer, 401: UNAUTHORISED, 404: NOT_FOUND},
)
@api_view(["GET"])
def story(request, pk: int):
    decision = get_object_or_404(
        decision_selectors.with_card_data(decision_selectors.visible_decisions(user=request.user)), pk=pk
    )
    return Response(s.StorySerializer(decision, context=_story_context(request)).data)


# --- endorsements --------------------------------------------------------------------------------------------------


@extend_schema(
    methods=["POST"],
    operation_id="endorsement_create",
    summary="Endorse a story",
    description="One endorsement per person per story, never one's own. Endorsing again changes nothing (200).",
    request=s.EndorsementCreateSerializer,
    responses={
        200: s.EndorsementSerializer,
        201: s.EndorsementSerializer,
        400: INVALID,
        401: UNAUTHORISED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: OpenApiResponse(s.ErrorSerializer, description="The story cannot be endorsed in its current state."),
    },
)
@extend_schema(
    methods=["DELETE"],
    operation_id="endorsement_delete",
    summary="Take my endorsement back",
    request=None,
    responses={204: None, 401: UNAUTHORISED, 403: FORBIDDEN, 404: NOT_FOUND},
)
@api_view(["POST", "DELETE"])
def endorsement(request, pk: int):
    decision = recognition_selectors.decision_for_viewer(pk=pk, viewer=request.user)
    if decision is None:
        raise Http404
    if request.method == "DELETE":
        recognition_services.endorsement_delete(decision=decision, endorser=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    body = s.EndorsementCreateSerializer(data=request.data if hasattr(request.data, "get") else {"comment": []})
    body.is_valid(raise_exception=True)
    try:
        endorsed, created = recognition_services.endorsement_create(
            decision=decision, endorser=request.user, comment=body.validated_data.get("comment", "")
        )
    except recognition_services.ActionRefused as refused:
        return Response({"detail": refused.message}, status=status.HTTP_409_CONFLICT)
    except PermissionDenied:
        return Response({"detail": _("Nobody endorses their own story.")}, status=status.HTTP_403_FORBIDDEN)
    endorsed = Endorsement.objects.select_related("endorser").get(pk=endorsed.pk)
    return Response(
        s.EndorsementSerializer(endorsed).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )


# --- leaderboards --------------------------------------------------------------------------------------------------


@extend_schema(
    operation_id="leaderboards_retrieve",
    summary="A leaderboard",
    description="The same snapshot as the leaderboard page: up to 100 lines, and where I stand (people boards).",
    parameters=[
        OpenApiParameter("board", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["people", "teams"]),
        OpenApiParameter("period", OpenApiTypes.STR, enum=list(board_selectors.PERIOD_KEYS)),
        OpenApiParameter("scope", OpenApiTypes.STR, description="`department-<id>` or (people) `team-<id>`."),
        OpenApiParameter("category", OpenApiTypes.STR, description="A category's slug."),
        OpenApiParameter("channel", OpenApiTypes.STR),
    ],
    responses={200: s.LeaderboardSerializer, 401: UNAUTHORISED, 404: NOT_FOUND},
)
@api_view(["GET"])
def leaderboard(request, board: str):
    if board not in (board_selectors.PEOPLE, board_selectors.TEAMS):
        raise Http404
    filters = LeaderboardFilterForm(_query(request), teams_board=board == board_selectors.TEAMS).filters()
    page = board_selectors.leaderboard_page(board=board, viewer=request.user, **filters)
    return Response(
        s.LeaderboardSerializer(
            {
                "board": board,
                "period": filters["period"] if filters["period"] in board_selectors.PERIOD_KEYS else "this-week",
                "period_label": page.period_label,
                "starts_on": page.snapshot.starts_on,
                "computed_at": page.snapshot.computed_at,
                "is_final": page.snapshot.is_final,
                "scope_label": page.scope_label,
                "entries": page.entries,
                "me": page.me,
            }
        ).data
    )


# --- digests -------------------------------------------------------------------------------------------------------


def _built_digests():
    return Digest.objects.filter(edition__built_at__isnull=False).select_related("edition", "team", "department")


@extend_schema(
    operation_id="digests_list",
    summary="Digests",
    description="Every week's built digests, latest first. Every signed-in person may read every digest (a digest "
    "holds only shared stories).",
    responses={200: s.DigestPage, 401: UNAUTHORISED},
)
@api_view(["GET"])
def digests(request):
    paginator = LatestFirst()
    page = paginator.paginate_queryset(_built_digests().defer("content"), request)
    return paginator.get_paginated_response(s.DigestSerializer(page, many=True, context={"request": request}).data)


@extend_schema(
    operation_id="digests_retrieve",
    summary="One digest",
    responses={200: s.DigestDetailSerializer, 401: UNAUTHORISED, 404: NOT_FOUND},
)
@api_view(["GET"])
def digest(request, pk: int):
    found = get_object_or_404(_built_digests(), pk=pk)
    return Response(s.DigestDetailSerializer(found, context={"request": request}).data)


# --- insights ------------------------------------------------------------------------------------------------------

LEDGER_NUMBERS = ("decisions", "covered_share", "total_cost", "median_cost", "small_share", "retained", "value_kept")


@extend_schema(
    operation_id="insights_ledger",
    summary="ROI ledger",
    description="The ROI ledger's totals and per-team rows for a period, for the teams the reader oversees (the "
    "insights pages' rule: managers, department heads, admins). Others get 403; a scope not offered, 404.",
    parameters=[
        OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "month", "quarter", "custom"]),
        OpenApiParameter("on", OpenApiTypes.DATE, description="A day in the period (today unless set)."),
        OpenApiParameter("start", OpenApiTypes.DATE, description="First day of a custom range."),
        OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of a custom range."),
        OpenApiParameter("scope", OpenApiTypes.STR, description="`department-<id>` or `team-<id>`."),
    ],
    responses={200: s.LedgerSerializer, 400: INVALID, 401: UNAUTHORISED, 403: FORBIDDEN, 404: NOT_FOUND},
)
@api_view(["GET"])
def ledger(request):
    org = Organisation.current()
    today = timezone.localtime(timezone.now(), periods.org_time_zone(org)).date()
    form = InsightsFilterForm(_query(request), viewer=request.user, today=today)
    if not form.scopes:
        raise PermissionDenied
    filters = form.filters()
    if form.errors:
        raise ValidationError(_form_errors(form))
    # As on the insights pages: a scope of many teams reads figures worked out a few minutes ago (a thousand teams'
    # month took 0.8 s to work out on each call).
    figures = figures_for(page="ledger", org=org, filters=filters, now=timezone.now())
    data = figures.data
    teams = data.table("teams")

    def numbers(n) -> dict:
        return {**{name: getattr(n, name) for name in LEDGER_NUMBERS}, "value_per_cost": n.value_per_cost}

    return Response(
        s.LedgerSerializer(
            {
                "period": filters.window.period,
                "first_day": filters.window.first_day,
                "last_day": filters.window.last_day,
                "scope": filters.scope.key,
                "scope_label": filters.scope.label,
                "currency": org.currency,
                "totals": numbers(data.totals),
                "figures_as_of": figures.as_of,
                "teams": [
                    dict(zip(["team", *LEDGER_NUMBERS, "value_per_cost"], row, strict=True)) for row in teams.rows
                ],
            }
        ).data
    )
