"""Each form accepts only its own fields; anything else posted is ignored."""

from django import forms
from django.utils.translation import gettext_lazy as _


class EndorseForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Good call because…")}),
    )


class EndorsementCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment"),
        max_length=500,
        error_messages={"required": _("Write your comment first.")},
    )


class CelebrateForm(forms.Form):
    note = forms.CharField(
        label=_("Your note to the whole organisation"),
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Great call — this is exactly the judgement we want.")}
        ),
        help_text=_("Public: it appears on the story and in the weekly digest."),
        error_messages={"required": _("Write a short note to celebrate this story.")},
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the author change?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Not a penalty, and it says so: the story goes back to its author to change (for example, a customer's "
            "personal data slipped into the text). Once they save it, it comes back to your queue."
        ),
        error_messages={"required": _("Tell the author what to change.")},
    )


class ReviewOpenForm(forms.Form):
    message = forms.CharField(
        label=_("First message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Private to the author and the managers of their team."),
    )


class ReviewMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message before sending it.")},
    )


class ReviewCloseForm(forms.Form):
    lesson = forms.CharField(
        label=_("What we learned"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A short summary, written so that it helps others. If the author agrees, it becomes a playbook "
            "example without any name."
        ),
        error_messages={"required": _("Write what you learned together before closing the review.")},
    )


class LessonShareForm(forms.Form):
    lesson_shared = forms.BooleanField(label=_("Share this lesson in the playbook, without my name"), required=False)
