"""Badges are awarded as events happen (an approval, a celebration, an endorsement), and every write that can change
a score moves the score source version, so the periodic refresh recomputes only what may have changed."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.decisions.models import Decision
from apps.org.models import Organisation
from apps.recognition.models import Endorsement

from .services import badges_award_as_it_happens, months_reopen, scores_changed


@receiver(post_save, sender=Decision, dispatch_uid="leaderboards.badges_on_decision")
def award_badges_on_decision(sender, instance: Decision, raw=False, **kwargs):
    if not raw and instance.is_shared:
        badges_award_as_it_happens(user_ids=[instance.author_id])


@receiver(post_save, sender=Endorsement, dispatch_uid="leaderboards.badges_on_endorsement")
def award_badges_on_endorsement(sender, instance: Endorsement, created=False, raw=False, **kwargs):
    if created and not raw:
        badges_award_as_it_happens(user_ids=[instance.decision_author_id])


@receiver(post_save, sender=Decision, dispatch_uid="leaderboards.changed_on_decision_save")
@receiver(post_delete, sender=Decision, dispatch_uid="leaderboards.changed_on_decision_delete")
@receiver(post_save, sender=Endorsement, dispatch_uid="leaderboards.changed_on_endorsement_save")
@receiver(post_delete, sender=Endorsement, dispatch_uid="leaderboards.changed_on_endorsement_delete")
@receiver(post_save, sender=Organisation, dispatch_uid="leaderboards.changed_on_organisation_save")
def scores_may_have_changed(sender, raw=False, **kwargs):
    if not raw:
        scores_changed()


@receiver(post_delete, sender=Endorsement, dispatch_uid="leaderboards.reopen_on_endorsement_delete")
def reopen_the_month_of_an_endorsement_taken_back(sender, instance: Endorsement, **kwargs):
    months_reopen(moments=[instance.created_at])


@receiver(post_save, sender=Decision, dispatch_uid="leaderboards.reopen_on_withdrawal")
def reopen_the_months_of_a_withdrawn_storys_endorsements(sender, instance: Decision, raw=False, **kwargs):
    # Only a story waiting for its manager can be withdrawn; its endorsements counted until then.
    if not raw and instance.status == Decision.Status.WITHDRAWN:
        months_reopen(moments=list(instance.endorsements.values_list("created_at", flat=True)))
