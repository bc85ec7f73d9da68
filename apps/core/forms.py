from django.forms.renderers import TemplatesSetting


class LeewayFormRenderer(TemplatesSetting):
    """One markup for every form field in Leeway (ours and allauth's): label, input, help, error next to it."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
