from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Department, Membership, Team
from .selectors import memberships_changed


@receiver(post_save, sender=Membership, dispatch_uid="org.memberships_on_membership_save")
@receiver(post_delete, sender=Membership, dispatch_uid="org.memberships_on_membership_delete")
@receiver(post_save, sender=Team, dispatch_uid="org.memberships_on_team_save")  # a team moved to another department
@receiver(post_delete, sender=Team, dispatch_uid="org.memberships_on_team_delete")
@receiver(post_delete, sender=Department, dispatch_uid="org.memberships_on_department_delete")
@receiver(m2m_changed, sender=Department.heads.through, dispatch_uid="org.memberships_on_heads_change")
def membership_changed(sender, **kwargs):
    memberships_changed()
