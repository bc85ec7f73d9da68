"""Stored insights figures (see figures.py) are forgotten when what they are measured against changes: the limits,
the trust statements that raise them (an earned-autonomy offer taken up must not be offered again) and the
organisation's settings (the customer value, the small-decision threshold). Stories and endorsements are not: their
figures say when they were worked out."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.decisions.models import Guardrail, TeamGuardrail, TrustStatement
from apps.org.models import Organisation

from .figures import figures_forget


@receiver(post_save, sender=Guardrail, dispatch_uid="insights.forget_on_guardrail_save")
@receiver(post_delete, sender=Guardrail, dispatch_uid="insights.forget_on_guardrail_delete")
@receiver(post_save, sender=TeamGuardrail, dispatch_uid="insights.forget_on_team_guardrail_save")
@receiver(post_delete, sender=TeamGuardrail, dispatch_uid="insights.forget_on_team_guardrail_delete")
@receiver(post_save, sender=TrustStatement, dispatch_uid="insights.forget_on_trust_statement_save")
@receiver(post_delete, sender=TrustStatement, dispatch_uid="insights.forget_on_trust_statement_delete")
@receiver(post_save, sender=Organisation, dispatch_uid="insights.forget_on_organisation_save")
def forget_stored_figures(sender, raw=False, **kwargs):
    if raw:
        return
    figures_forget()  # now, and again once the write is committed (see next_generation)
