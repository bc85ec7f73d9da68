"""Badges are awarded as events happen (an approval, a celebration, an endorsement), and every write that can change
a score moves the score source version, so the periodic refresh recomputes only what may have changed."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from apps.decisions.models import Decision
from apps.org.models import Organisation
from apps.recognition.models import Endorsement

from .services import badges_award_as_it_happens, months_reopen, months_reopen_all, scores_changed


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


@receiver(post_delete, sender=Decision, dispatch_uid="leaderboards.reopen_on_decision_delete")
def reopen_the_months_of_a_deleted_story(sender, instance: Decision, **kwargs):
    """An admin deleted a story: its approval and celebration leave their months, and if it was its author's first,
    the next one becomes the first (its months too). Its endorsements reopen theirs as they go."""
    if instance.approved_at is None:
        return
    later = Decision.objects.filter(
        author_id=instance.author_id, status__in=Decision.SHARED_STATUSES, approved_at__gte=instance.approved_at
    ).values_list("approved_at", flat=True)
    months_reopen(moments=[instance.approved_at, instance.celebrated_at, *later])


@receiver(pre_save, sender=Organisation, dispatch_uid="leaderboards.time_zone_before")
def note_a_time_zone_change(sender, instance: Organisation, raw=False, **kwargs):
    if not raw and instance.pk:
        before = Organisation.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()
        instance._time_zone_changed = before is not None and before != instance.time_zone


@receiver(post_save, sender=Organisation, dispatch_uid="leaderboards.reopen_on_time_zone_change")
def reopen_every_month_when_the_time_zone_changes(sender, instance: Organisation, raw=False, **kwargs):
    # Months are bounded by midnight in the organisation's time zone: finished ones are computed again in the new one.
    if not raw and getattr(instance, "_time_zone_changed", False):
        months_reopen_all()
