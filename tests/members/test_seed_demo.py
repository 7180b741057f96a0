from django.contrib.auth import get_user_model
from django.core.management import call_command

from members import demo
from meetings.models import Attendance, Meeting, ThoughtReport
from members.models import Branch, Member, PartyGroup


def snapshot():
    return (
        list(Branch.objects.values_list("name", "short_name")),
        list(PartyGroup.objects.values_list("name", "leader__name", "position").order_by("name")),
        list(Member.objects.values_list("number", "name", "group__name", "branch_role", "status").order_by("number")),
        list(get_user_model().objects.values_list("username", "password", "is_staff").order_by("username")),
        list(Meeting.objects.values_list("group__name", "title", "starts_at", "state").order_by("pk")),
        ThoughtReport.objects.count(),
        Attendance.objects.count(),
    )


def test_seed_demo_builds_a_branch_with_secretary_committee_and_three_led_groups(db):
    call_command("seed_demo")
    branch = Branch.objects.get()
    assert Member.objects.filter(branch=branch, branch_role="secretary").count() == 1
    assert Member.objects.filter(branch=branch, branch_role="committee").count() == 2
    groups = PartyGroup.objects.filter(branch=branch)
    assert groups.count() == 3
    for group in groups:
        assert 6 <= group.members.count() <= 9
        assert group.leader is not None and group.leader.group_id == group.pk


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


def test_demo_people_can_sign_in(client, db):
    call_command("seed_demo")
    for username, _who in demo.sign_ins():
        assert client.login(username=username, password=demo.DEMO_PASSWORD), username


def test_seed_demo_gives_the_review_queue_and_dashboard_something_to_show(db):
    call_command("seed_demo")
    states = set(Meeting.objects.values_list("state", flat=True))
    assert {"approved", "submitted", "returned", "held", "scheduled", "draft"} <= states
    assert Meeting.objects.filter(kind="theme_day").exists() and Meeting.objects.filter(kind="democratic_life").exists()
    assert ThoughtReport.objects.filter(mode="oral").exists() and ThoughtReport.objects.filter(mode="written").exists()
