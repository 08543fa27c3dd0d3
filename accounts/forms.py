from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm

from send_register.locking import LockVersionFormMixin

from .models import Role, SecurityEvent


class SignInForm(AuthenticationForm):
    username = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both may be case-sensitive.",
        "inactive": "This account has been deactivated. Speak to the school's administrator.",
    }


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True, "class": "govuk-input--width-10"}
        ),
        error_messages={"required": "Enter the code from your authenticator app or a backup code"},
    )


class EnrolForm(forms.Form):
    token = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        help_text="6 digits, for example 123456.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app", "invalid": "Enter the code as 6 digits, like 123456"},
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address", "invalid": "Enter an email address in the correct format, like name@example.com"},
    )


class SetPasswordForm(DjangoSetPasswordForm):
    """Django's form with plain-English labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Three random words work well."
        self.fields["new_password2"].label = "Confirm new password"


class PasswordChangeForm(DjangoPasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Three random words work well."
        self.fields["new_password2"].label = "Confirm new password"


ROLE_HINTS = {
    Role.SENCO: "Manages the SEN register and sees every pupil's record",
    Role.HEAD: "Sees every pupil's record and the reports",
    Role.TEACHER: "Sees the pupils in their classes",
    Role.TA: "Sees the pupils in the classes they support",
    Role.PARENT: "Sees only their own children (link them on the pupil's page)",
    Role.GOVERNOR: "Sees reports without children's names",
    Role.ADMIN: "Manages accounts and school settings",
}


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=Role.choices,
            label="Roles",
            help_text="Select all that apply.",
            error_messages={"required": "Choose at least one role"},
            **kwargs,
        )


class InviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter the person's full name"})
    short_name = forms.CharField(
        label="What people call them (optional)", max_length=60, required=False, help_text="For example, Ms Patel"
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will email a link to set a password to this address.",
        error_messages={"required": "Enter the person's email address", "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    roles = RolesField()


class UserEditForm(LockVersionFormMixin, forms.Form):
    lock_what = "person's details"  # lock_from=the person

    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter the person's full name"})
    short_name = forms.CharField(label="What people call them (optional)", max_length=60, required=False)
    roles = RolesField()


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Event", required=False, choices=[("", "All events"), *SecurityEvent.Kind.choices])
    q = forms.CharField(
        label="Email address contains", required=False, max_length=254, widget=forms.TextInput(attrs={"class": "govuk-!-width-one-half"})
    )


# Setting up -----------------------------------------------------------------


def _staff_upload_form():
    from pupils.forms import ImportUploadForm

    class StaffImportUploadForm(ImportUploadForm):
        """The same checks on the upload as the pupil import (CSV, size, no
        binary), with the staff file's own label."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["file"].label = "CSV file of staff"
            self.fields["file"].help_text = (
                "Columns: name (or first name and last name), email, roles; optionally the classes or teaching groups they teach"
            )

    return StaffImportUploadForm


class StaffImportConfirmForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput)
