from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .models import Newcomer


@receiver(user_signed_up)
def remember_the_newcomer(sender, request, user, **kwargs):
    Newcomer.objects.get_or_create(user=user)
