from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.accounts.models import User
from apps.core.cache import names_changed
from apps.org.models import Department, Team

from .models import Category, CompanyValue

# What cached fragments show of a person: their name (and initials), and the language their celebration note is in.
NAMED_USER_FIELDS = {"first_name", "last_name", "email", "language", "erased_at"}


@receiver(post_save, sender=Team, dispatch_uid="decisions.names_on_team_save")
@receiver(post_delete, sender=Team, dispatch_uid="decisions.names_on_team_delete")
@receiver(post_save, sender=Department, dispatch_uid="decisions.names_on_department_save")
@receiver(post_delete, sender=Department, dispatch_uid="decisions.names_on_department_delete")
@receiver(post_save, sender=Category, dispatch_uid="decisions.names_on_category_save")
@receiver(post_delete, sender=Category, dispatch_uid="decisions.names_on_category_delete")
@receiver(post_save, sender=CompanyValue, dispatch_uid="decisions.names_on_value_save")
@receiver(post_delete, sender=CompanyValue, dispatch_uid="decisions.names_on_value_delete")
def name_saved(sender, **kwargs):
    names_changed()


@receiver(post_delete, sender=User, dispatch_uid="decisions.names_on_user_delete")
def person_deleted(sender, **kwargs):
    names_changed()


@receiver(post_save, sender=User, dispatch_uid="decisions.names_on_user_save")
def person_saved(sender, instance, created, update_fields=None, **kwargs):
    # Signing in saves `last_login` only, many times an hour: that must not write every card again.
    if not created and (update_fields is None or NAMED_USER_FIELDS & set(update_fields)):
        names_changed()
