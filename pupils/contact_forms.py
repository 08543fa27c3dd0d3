"""Forms for the contacts import and parents' access: shape and normalise
input only; the rules live in pupils.contacts and pupils.contact_import."""

from django import forms

from .contact_import import FIELD_LABELS
from .forms import date_field


class ColumnMapForm(forms.Form):
    """One select per column heading the import did not recognise."""

    def __init__(self, *args, unknown=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Ignore this column")] + [(name, label[:1].upper() + label[1:]) for name, label in FIELD_LABELS.items()]
        self.headings = {}
        for index, (heading, key) in enumerate(unknown):
            name = f"column_{index}"
            self.headings[name] = heading
            self.fields[name] = forms.ChoiceField(label=f"Column “{heading}”", choices=choices, required=False)

    def clean(self):
        data = super().clean()
        chosen = [value for value in data.values() if value]
        duplicates = {value for value in chosen if chosen.count(value) > 1}
        for name, value in data.items():
            if value in duplicates:
                self.add_error(name, "Two columns are matched to the same field: choose one")
        return data

    def mapping(self) -> dict[str, str]:
        return {self.headings[name]: value for name, value in self.cleaned_data.items()}


class ContactImportConfirmForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput)


class InviteForm(forms.Form):
    reason = forms.CharField(
        label="Why should this contact see the child's records?", required=False, max_length=200,
        help_text="Needed for a contact without parental responsibility (a grandparent who has care of the child, say). It is kept with the link.",
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )


class LinkAccountForm(forms.Form):
    email = forms.EmailField(
        label="Email address of their account", max_length=254,
        error_messages={"required": "Enter the email address of their account", "invalid": "Enter an email address like name@example.com"},
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
    )
    reason = InviteForm.base_fields["reason"]


class ConfirmChildForm(forms.Form):
    date_of_birth = date_field("Your child's date of birth")
    date_of_birth.error_messages.update({
        "required": "Enter your child's date of birth",
        "invalid": "Enter your child's date of birth as a real date",
    })
