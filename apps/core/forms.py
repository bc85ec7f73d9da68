from html import escape

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make text display in another order than it is
# stored ("Trojan source"): a story or a name could read differently to each person. Nobody types them on purpose.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


class PlainTextForm:
    """A form mixin: every text a person types is kept without bidirectional control characters."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = without_bidi_controls(value)
        return cleaned


class LeewayFormRenderer(TemplatesSetting):
    """One markup for every form field in Leeway (ours and allauth's): label, input, help, error next to it."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class QuickSelect(forms.Select):
    """The same <select> as Django's, its options written in Python instead of one template each: a list of every team
    of the organisation (a thousand at 10,000 agents: the feed's filter, the Setup pages) cost more than the rest of the
    page with a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        choices = self.choices
        if type(choices) is ModelChoiceIterator:  # a subclass reads its rows its own way
            # Django reads a model's menu through QuerySet.iterator(): inside a request's transaction, a server-side
            # cursor on PostgreSQL (three round trips). A menu is small enough for one plain query.
            iterator = choices
            choices = [("", iterator.field.empty_label)] if iterator.field.empty_label is not None else []
            choices += [iterator.choice(obj) for obj in iterator.queryset]
        # The standard library's escape, not format_html's: with a thousand options, its lazy-string checks showed.
        options = "".join(
            f'\n  <option value="{escape(str(option))}"{" selected" if str(option) in selected else ""}>'
            f"{escape(str(label))}</option>\n"
            for option, label in choices
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options)
        )
