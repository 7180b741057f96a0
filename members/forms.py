from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Member, PartyGroup
from .roster import MAX_FILE_BYTES


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocomplete": "username"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))


class PasswordChangeWithHelperForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Change password")))


class PasswordChangeMustDifferForm(PasswordChangeWithHelperForm):
    """Django's password change, which also refuses the old password as the new one
    (a one-time password must not become the permanent one)."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and password == self.data.get("old_password"):
            raise forms.ValidationError(_("The new password must differ from the old one."), code="password_unchanged")
        return password


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK) with the template's columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import no row at all if any row has an error"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB; a roster is much smaller. Check that it is the right file.")
            )
        return upload


class RosterConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput)
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import no row at all if any row has an error"), required=False
    )


class MemberTransferForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Move to party group"), queryset=PartyGroup.objects.none())

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = PartyGroup.objects.filter(branch_id=member.branch_id).exclude(pk=member.group_id)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Transfer")))


class GroupLeaderForm(forms.Form):
    leader = forms.ModelChoiceField(
        label=_("Group leader"), queryset=Member.objects.none(), required=False, empty_label=_("(no leader)")
    )

    def __init__(self, *args, group: PartyGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = group.members.filter(user__is_active=True).order_by("name")
        self.fields["leader"].initial = group.leader_id
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Appoint")))
