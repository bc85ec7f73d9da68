"""SCIM 2.0 provisioning (RFC 7643/7644) for Microsoft Entra ID, Okta and others: people are Users, teams are Groups.

The SCIM objects themselves — parsing and validating payloads, applying PATCH operations in the forms the big
identity providers send them ("Replace", "False" as a string, a value without a path), parsing filters, the
discovery documents — come from scim2-models, maintained with the scim2-client and scim2-server libraries. This
module maps them to Leeway's people and teams, and turns filters into database queries.
"""

import functools
import json
import secrets

import scim2_models as sm
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models.path.expressions import (
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from apps.accounts.models import User
from apps.core.converters import as_id
from apps.core.tokens import secret_hash
from apps.org.models import Department, Membership, Organisation, Team

from .models import ScimIdentity, ScimToken

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200
TOKEN_PREFIX = "lwscim_"
# Teams that an identity provider creates land in this department; an admin may move them afterwards.
PROVISIONED_DEPARTMENT = "Provisioned"


# --- tokens --------------------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return secret_hash(token)


def scim_token_create(*, name: str, by: User) -> tuple[ScimToken, str]:
    """A new token; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        name=name, prefix=secret[: len(TOKEN_PREFIX) + 4], token_hash=_hash(secret), created_by=by
    )
    return token, secret


def scim_token_revoke(*, token: ScimToken) -> None:
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _authenticated(request: HttpRequest) -> bool:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    return bool(
        ScimToken.objects.filter(token_hash=_hash(secret.strip()), revoked_at__isnull=True).update(
            last_used_at=timezone.now()
        )
    )


# --- responses -----------------------------------------------------------------------------------------------------


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _response(payload: dict | None, status: int = 200, location: str | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload) if payload is not None else b"", status=status, content_type=CONTENT_TYPE
    )
    if location:
        response["Location"] = location
    return response


def _error(error: ScimError) -> HttpResponse:
    payload = sm.Error(status=error.status, detail=error.detail, scim_type=error.scim_type).model_dump()
    return _response(payload, status=error.status)


def scim_view(view):
    """Bearer-token authentication and SCIM errors for every endpoint; no session, no CSRF (a machine client)."""

    @csrf_exempt
    @login_not_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _authenticated(request):
            response = _error(ScimError(401, "A valid bearer token is required."))
            response["WWW-Authenticate"] = 'Bearer realm="Leeway SCIM"'
            return response
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except ScimError as error:
            return _error(error)
        except (ValidationError, sm.SCIMException, ValueError) as error:
            return _error(ScimError(400, str(error).splitlines()[0][:300], "invalidValue"))

    return wrapper


def _body(request: HttpRequest) -> dict:
    try:
        return json.loads(request.body or b"{}")
    except json.JSONDecodeError as error:
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from error


def _location(request: HttpRequest, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(f"scim:{name}", args=[str(pk)]))


def _list_response(items: list[dict], *, total: int, start: int) -> HttpResponse:
    return _response(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )


def _dump(resource: sm.Resource) -> dict:
    return resource.model_dump(scim_ctx=sm.Context.RESOURCE_QUERY_RESPONSE)


# --- people as SCIM Users ------------------------------------------------------------------------------------------


def _users() -> QuerySet[User]:
    return (
        User.objects.filter(erased_at__isnull=True)
        .select_related("scim_identity")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("team")))
    )


def _user_resource(request: HttpRequest, user: User) -> sm.User:
    identity = getattr(user, "scim_identity", None)
    return sm.User(
        id=str(user.pk),
        external_id=identity.external_id if identity and identity.external_id else None,
        user_name=user.email,
        name=sm.Name(given_name=user.first_name or None, family_name=user.last_name or None),
        display_name=user.get_full_name() or None,
        emails=[sm.Email(value=user.email, primary=True, type="work")],
        active=user.is_active,
        preferred_language=user.language,
        timezone=user.time_zone or None,
        groups=[sm.GroupMembership(value=str(m.team_id), display=m.team.name) for m in user.memberships.all()],
        meta=sm.Meta(
            resource_type="User",
            created=user.date_joined,
            last_modified=user.date_joined,
            location=_location(request, "user", user.pk),
        ),
    )


def _apply_user(user: User, resource: sm.User) -> User:
    primary = next((e.value for e in resource.emails or [] if e.primary), None)
    email = (resource.user_name or primary or user.email or "").strip().lower()
    if not email:
        raise ScimError(400, "userName is required.", "invalidValue")
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ScimError(409, "Someone already has this userName.", "uniqueness")
    user.email = email
    if resource.name is not None:
        user.first_name = (resource.name.given_name or "")[:150]
        user.last_name = (resource.name.family_name or "")[:150]
    if resource.active is not None:
        user.is_active = resource.active
    language = (resource.preferred_language or "").split("-")[0].lower()
    if language in dict(settings.LANGUAGES):
        user.language = language
    if resource.timezone and resource.timezone in {name for name, _label in User._meta.get_field("time_zone").choices}:
        user.time_zone = resource.timezone
    return user


def _save_user(user: User, resource: sm.User) -> None:
    creating = user.pk is None
    if creating:
        user.set_unusable_password()  # they sign in with single sign-on (or reset a password)
    user.save()
    # The identity provider vouches for the address.
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    if resource.external_id is not None:
        ScimIdentity.objects.update_or_create(user=user, defaults={"external_id": resource.external_id})


def _parse(model, payload: dict, context: sm.Context):
    return model.model_validate(payload, scim_ctx=context)


# --- filters -------------------------------------------------------------------------------------------------------

USER_FIELDS = {
    "id": "pk",
    "username": "email",
    "externalid": "scim_identity__external_id",
    "emails": "email",
    "emails.value": "email",
    "name.givenname": "first_name",
    "name.familyname": "last_name",
    "displayname": "first_name",
    "active": "is_active",
}
GROUP_FIELDS = {
    "id": "pk",
    "displayname": "name",
    "members": "memberships__user_id",
    "members.value": "memberships__user_id",
}
LOOKUPS = {
    CompareOperator.eq: "iexact",
    CompareOperator.co: "icontains",
    CompareOperator.sw: "istartswith",
    CompareOperator.ew: "iendswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}
NOTHING = Q(pk__in=[])


def _field(fields: dict, attr: str, sub: str | None, prefix: str = "") -> str | None:
    name = f"{prefix}{attr}" if not sub else f"{prefix}{attr}.{sub}"
    return fields.get(name.lower())


def _q(node, fields: dict, prefix: str = "") -> Q:
    """A filter's tree as a database condition. An attribute Leeway does not keep matches nothing (RFC 7644)."""
    if isinstance(node, LogicalExpr):
        terms = [_q(term, fields, prefix) for term in node.terms]
        return functools.reduce(lambda a, b: (a & b) if node.op == LogicalOperator.and_ else (a | b), terms)
    if isinstance(node, Not):
        return ~_q(node.expr, fields, prefix)
    if isinstance(node, ValuePath):
        return _q(node.val_filter, fields, prefix=f"{node.attr_path.attr}.")
    if isinstance(node, Present):
        field = _field(fields, node.attr_path.attr, node.attr_path.sub_attr, prefix)
        return ~Q(**{field: ""}) & Q(**{f"{field}__isnull": False}) if field else NOTHING
    if isinstance(node, Comparison):
        if prefix and node.attr_path.attr.lower() == "type":
            return Q()  # Leeway keeps one address per person: any type matches it
        field = _field(fields, node.attr_path.attr, node.attr_path.sub_attr, prefix)
        if field is None:
            return NOTHING
        value = node.value
        if field == "pk" or field.endswith("user_id"):
            value = as_id(value)
            if value is None:
                return NOTHING
        if isinstance(value, bool) or field in ("pk",) or field.endswith("user_id"):
            condition = Q(**{field: value})
        elif node.op == CompareOperator.ne:
            return ~Q(**{f"{field}__iexact": value})
        else:
            condition = Q(**{f"{field}__{LOOKUPS[node.op]}": value})
        return ~condition if node.op == CompareOperator.ne else condition
    raise ScimError(400, "This filter is not supported.", "invalidFilter")


def _listed(request: HttpRequest, queryset: QuerySet, fields: dict, to_resource) -> HttpResponse:
    text = request.GET.get("filter", "").strip()
    if text:
        try:
            queryset = queryset.filter(_q(sm.ScimFilter(text).ast, fields)).distinct()
        except sm.SCIMException as error:
            raise ScimError(400, str(error), "invalidFilter") from error
    try:
        start = max(int(request.GET.get("startIndex", 1)), 1)
        count = min(max(int(request.GET.get("count", MAX_RESULTS)), 0), MAX_RESULTS)
    except ValueError as error:
        raise ScimError(400, "startIndex and count are numbers.", "invalidValue") from error
    queryset = queryset.order_by("pk")
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count])
    return _list_response([_dump(to_resource(request, item)) for item in page], total=total, start=start)


# --- Users ---------------------------------------------------------------------------------------------------------


def _user_or_404(pk: str) -> User:
    user = _users().filter(pk=as_id(pk) or 0).first()
    if user is None:
        raise ScimError(404, "No such user.")
    return user


@scim_view
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _listed(request, _users(), USER_FIELDS, _user_resource)
    if request.method != "POST":
        raise ScimError(405, "Method not allowed.")
    resource = _parse(sm.User, _body(request), sm.Context.RESOURCE_CREATION_REQUEST)
    user = _apply_user(User(), resource)
    _save_user(user, resource)
    user = _user_or_404(user.pk)
    return _response(_dump(_user_resource(request, user)), status=201, location=_location(request, "user", user.pk))


@scim_view
def user(request: HttpRequest, pk: str) -> HttpResponse:
    person = _user_or_404(pk)
    if request.method == "DELETE":
        # A leaver: deactivated, never deleted, so their stories keep their name.
        User.objects.filter(pk=person.pk).update(is_active=False)
        return _response(None, status=204)
    if request.method == "PUT":
        resource = _parse(sm.User, _body(request), sm.Context.RESOURCE_REPLACEMENT_REQUEST)
        _save_user(_apply_user(person, resource), resource)
    elif request.method == "PATCH":
        patch = _parse(sm.PatchOp[sm.User], _body(request), sm.Context.RESOURCE_PATCH_REQUEST)
        resource = _user_resource(request, person)
        patch.patch(resource)
        _save_user(_apply_user(person, resource), resource)
    elif request.method != "GET":
        raise ScimError(405, "Method not allowed.")
    return _response(_dump(_user_resource(request, _user_or_404(pk))))


# --- teams as SCIM Groups ------------------------------------------------------------------------------------------


def _teams() -> QuerySet[Team]:
    return Team.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("pk"))
    )


def _group_resource(request: HttpRequest, team: Team) -> sm.Group:
    return sm.Group(
        id=str(team.pk),
        display_name=team.name,
        members=[
            sm.GroupMember(value=str(m.user_id), display=m.user.display_name, type="User", ref=None)
            for m in team.memberships.all()
        ],
        meta=sm.Meta(resource_type="Group", location=_location(request, "group", team.pk)),
    )


def _team_or_404(pk: str) -> Team:
    team = _teams().filter(pk=as_id(pk) or 0).first()
    if team is None:
        raise ScimError(404, "No such group.")
    return team


def _apply_group(team: Team, resource: sm.Group) -> None:
    name = (resource.display_name or "").strip()
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    if Team.objects.filter(department_id=team.department_id, name__iexact=name).exclude(pk=team.pk).exists():
        raise ScimError(409, "A team of this department already has this name.", "uniqueness")
    team.name = name[:120]
    team.save()
    wanted = {int(m.value) for m in resource.members or [] if m.value and str(m.value).isdigit()}
    current = set(Membership.objects.filter(team=team).values_list("user_id", flat=True))
    Membership.objects.filter(team=team, user_id__in=current - wanted).delete()
    for person in User.objects.filter(pk__in=wanted - current):
        # A new member is an agent of the team (moved from another team if need be); managers are set in Leeway.
        Membership.objects.filter(user=person, role=Membership.Role.AGENT).delete()
        Membership.objects.create(user=person, team=team, role=Membership.Role.AGENT)


@scim_view
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _listed(request, _teams(), GROUP_FIELDS, _group_resource)
    if request.method != "POST":
        raise ScimError(405, "Method not allowed.")
    resource = _parse(sm.Group, _body(request), sm.Context.RESOURCE_CREATION_REQUEST)
    department, _created = Department.objects.get_or_create(
        organisation=Organisation.current(), name=PROVISIONED_DEPARTMENT
    )
    team = Team(department=department)
    _apply_group(team, resource)
    return _response(
        _dump(_group_resource(request, _team_or_404(team.pk))),
        status=201,
        location=_location(request, "group", team.pk),
    )


@scim_view
def group(request: HttpRequest, pk: str) -> HttpResponse:
    team = _team_or_404(pk)
    if request.method == "DELETE":
        if team.decisions.exists():
            raise ScimError(409, "This team has stories; it is kept. Remove its members instead.", "mutability")
        team.delete()
        return _response(None, status=204)
    if request.method == "PUT":
        _apply_group(team, _parse(sm.Group, _body(request), sm.Context.RESOURCE_REPLACEMENT_REQUEST))
    elif request.method == "PATCH":
        patch = _parse(sm.PatchOp[sm.Group], _body(request), sm.Context.RESOURCE_PATCH_REQUEST)
        resource = _group_resource(request, team)
        patch.patch(resource)
        _apply_group(team, resource)
    elif request.method != "GET":
        raise ScimError(405, "Method not allowed.")
    return _response(_dump(_group_resource(request, _team_or_404(pk))))


# --- discovery -----------------------------------------------------------------------------------------------------

RESOURCES = {"User": sm.User, "Group": sm.Group}


@scim_view
def service_provider_config(request: HttpRequest) -> HttpResponse:
    config = sm.ServiceProviderConfig(
        patch=sm.Patch(supported=True),
        bulk=sm.Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=sm.Filter(supported=True, max_results=MAX_RESULTS),
        change_password=sm.ChangePassword(supported=False),
        sort=sm.Sort(supported=False),
        etag=sm.ETag(supported=False),
        authentication_schemes=[
            sm.AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token created by a Leeway admin under Setup → Provisioning.",
                primary=True,
            )
        ],
        meta=sm.Meta(resource_type="ServiceProviderConfig", location=request.build_absolute_uri()),
    )
    return _response(_dump(config))


def _resource_type(request: HttpRequest, name: str) -> sm.ResourceType:
    resource_type = sm.ResourceType.from_resource(RESOURCES[name])
    resource_type.meta = sm.Meta(
        resource_type="ResourceType", location=request.build_absolute_uri(reverse("scim:resource_type", args=[name]))
    )
    return resource_type


def _schema(request: HttpRequest, model) -> sm.Schema:
    schema = model.to_schema()
    schema.meta = sm.Meta(
        resource_type="Schema", location=request.build_absolute_uri(reverse("scim:schema", args=[schema.id]))
    )
    return schema


def _list_of(items: list[dict]) -> HttpResponse:
    return _list_response(items, total=len(items), start=1)


@scim_view
def resource_types(request: HttpRequest, name: str | None = None) -> HttpResponse:
    if name is None:
        return _list_of([_dump(_resource_type(request, n)) for n in RESOURCES])
    if name not in RESOURCES:
        raise ScimError(404, "No such resource type.")
    return _response(_dump(_resource_type(request, name)))


@scim_view
def schemas(request: HttpRequest, schema_id: str | None = None) -> HttpResponse:
    all_schemas = {model.__schema__: model for model in RESOURCES.values()}
    if schema_id is None:
        return _list_of([_dump(_schema(request, model)) for model in all_schemas.values()])
    if schema_id not in all_schemas:
        raise ScimError(404, "No such schema.")
    return _response(_dump(_schema(request, all_schemas[schema_id])))
