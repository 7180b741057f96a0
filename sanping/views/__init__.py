from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meetings.home import home_context
from sanping.home import home_context as sanping_home_context
from members.decorators import login_required
from members.roles import member_of, ordered, roles_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each person's starting page: who they are here, and what is theirs to do next."""
    member = member_of(request.user)
    context = {"member": member, "roles": ordered(roles_for(request.user))}
    if member is not None:
        context["led_groups"] = list(member.led_groups.all())
        context.update(home_context(member))
        context.update(sanping_home_context(member))
    return render(request, "home.html", context)
