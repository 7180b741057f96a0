"""The branch's cadence: the dashboard of the secretary and committee, and the rules
the secretary sets. The computation lives in meetings/cadence.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.decorators import login_required

from .. import cadence
from ..forms_cadence import CadenceRuleForm
from ..selectors import member_or_404


def _group_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    branch = member.branch
    if not cadence.can_view_cadence(member, branch):
        raise PermissionDenied
    board = cadence.branch_cadence(branch, member_group_id=_group_id(request.GET.get("group")))
    context = {"board": board, "can_edit_rules": cadence.can_edit_rules(member, branch)}
    if request.htmx:
        return render(request, "meetings/cadence/dashboard.html#members", context)
    return render(request, "meetings/cadence/dashboard.html", context)


@login_required
def rules_edit(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    branch = member.branch
    if not cadence.can_view_cadence(member, branch):
        raise PermissionDenied
    editable = cadence.can_edit_rules(member, branch)
    rules = cadence.rules_for(branch)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        forms = [CadenceRuleForm(request.POST, rule=rule) for rule in rules]
        if all([form.is_valid() for form in forms]):
            try:
                cadence.cadence_rules_update(
                    branch=branch, by=member, changes={form.rule.obligation: form.change() for form in forms}
                )
            except ValidationError as error:
                _attach(error, forms)
            else:
                messages.success(request, _("The cadence rules are saved; the dashboard follows them from now on."))
                return redirect("meetings:cadence")
        messages.error(request, _("The rules were not saved: correct the marked fields."))
    else:
        forms = [CadenceRuleForm(rule=rule, read_only=not editable) for rule in rules]
    return render(request, "meetings/cadence/rules.html", {"forms": forms, "editable": editable, "branch": branch})


def _attach(error: ValidationError, forms: list[CadenceRuleForm]) -> None:
    """Put the service's refusals (keyed "<obligation>-<field>") on the forms."""
    by_obligation = {form.rule.obligation: form for form in forms}
    for key, messages_ in error.message_dict.items():
        obligation, _sep, field = key.rpartition("-")
        form = by_obligation.get(obligation) or forms[0]
        form.add_error(field if field in form.fields else None, messages_)
