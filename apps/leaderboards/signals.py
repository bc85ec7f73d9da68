"""Badges are awarded as events happen: an approval, a celebration, an endorsement."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.decisions.models import Decision
from apps.recognition.models import Endorsement

from .services import badges_award_as_it_happens


@receiver(post_save, sender=Decision, dispatch_uid="leaderboards.badges_on_decision")
def award_badges_on_decision(sender, instance: Decision, raw=False, **kwargs):
    if not raw and instance.is_shared:
        badges_award_as_it_happens(user_ids=[instance.author_id])


@receiver(post_save, sender=Endorsement, dispatch_uid="leaderboards.badges_on_endorsement")
def award_badges_on_endorsement(sender, instance: Endorsement, created=False, raw=False, **kwargs):
    if created and not raw:
        badges_award_as_it_happens(user_ids=[instance.decision_author_id])
