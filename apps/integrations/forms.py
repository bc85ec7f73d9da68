import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PlainTextForm
from apps.org.models import Department, Team

from .models import ChatChannel, HelpDeskSettings, WebhookEndpoint

ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?$", re.IGNORECASE)


def _check_address(url: str) -> str:
    if urlsplit(url).scheme != "https" and not settings.LEEWAY_WEBHOOK_ALLOW_HTTP:
        raise forms.ValidationError(_("Use an https:// address: the messages travel over the internet."))
    return url


class ChatChannelForm(PlainTextForm, forms.ModelForm):
    """A channel. Its webhook address is write-only: an existing channel keeps its address unless a new one is
    given."""

    webhook_url = forms.URLField(
        label=_("Webhook address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_(
            "Teams: in the channel, Workflows → “Post to a channel when a webhook request is received”. "
            "Slack: an app with Incoming Webhooks. Paste the address it gives you."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = ChatChannel
        fields = [
            "name",
            "platform",
            "webhook_url",
            "scope",
            "department",
            "team",
            "language",
            "send_celebrations",
            "send_approved",
            "send_digest",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("name")
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["department"].required = self.fields["team"].required = False
        if self.instance.pk:
            # Never sent back to the browser: the field starts empty and empty means "keep it".
            self.initial["webhook_url"] = ""
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _("Now: %(masked)s. Leave empty to keep it, or paste a new one.") % {
                "masked": self.instance.masked_url
            }

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        if not url and self.instance.pk:
            return self.instance.webhook_url
        return _check_address(url)

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == ChatChannel.Scope.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("Choose the department whose stories this channel hears about."))
        if scope == ChatChannel.Scope.TEAM and not cleaned.get("team"):
            self.add_error("team", _("Choose the team whose stories this channel hears about."))
        if scope != ChatChannel.Scope.DEPARTMENT:
            cleaned["department"] = None
        if scope != ChatChannel.Scope.TEAM:
            cleaned["team"] = None
        return cleaned


class WebhookEndpointForm(PlainTextForm, forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEndpoint.Event.APPROVED, WebhookEndpoint.Event.CELEBRATED],
    )
    url = forms.URLField(label=_("Endpoint address"), max_length=1000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self):
        return _check_address(self.cleaned_data["url"].strip())


class HelpDeskSettingsForm(forms.ModelForm):
    class Meta:
        model = HelpDeskSettings
        fields = ["frame_origins"]
        help_texts = {
            "frame_origins": _(
                "One address per line, such as https://acme.zendesk.com. Only these sites may show the “Can I?” "
                "page in their sidebar; no other site can frame any page of Leeway."
            )
        }
        widgets = {"frame_origins": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})}

    def clean_frame_origins(self):
        origins = []
        for origin in self.cleaned_data["frame_origins"].split():
            origin = origin.rstrip("/")
            if not ORIGIN.match(origin):
                raise forms.ValidationError(
                    _("“%(origin)s” is not a site's address. Write it like https://acme.zendesk.com, without a path.")
                    % {"origin": origin}
                )
            origins.append(origin)
        return "\n".join(dict.fromkeys(origins))
