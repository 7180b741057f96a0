"""The audit log: every page on which the branch (the leader, the secretary, the
committee) reads other people's evaluations writes who read whose, in one INSERT;
nobody is logged reading their own; administrators read the log with filters."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import AuditEvent
from sanping.models import RectificationItem

from .test_authorization_matrix import media_root, world  # noqa: F401 (fixtures)

READ = AuditEvent.Action.VIEW_EVALUATION


def reads(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=READ, **filters).order_by("target_id"))


def inserts_into_the_log(queries) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "meetings_auditevent"'))


def test_the_secretary_reading_the_record_is_logged_once_per_member_in_one_insert(client, world, secretary, leader,  # noqa: F811
                                                                                 member):
    session = world.objects["session"]
    client.force_login(secretary.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("sanping:record", args=[session.pk])).status_code == 200
    assert inserts_into_the_log(queries) == 1
    events = reads(actor=secretary)
    third = world.objects["third"]
    assert [e.target_id for e in events] == sorted([leader.pk, member.pk, third.pk])
    about_leader = next(e for e in events if e.target_id == leader.pk)
    assert about_leader.target_type == "members.member" and about_leader.branch_id == secretary.branch_id
    assert about_leader.target_label.startswith(leader.name)
    assert about_leader.detail["page"] == "record" and about_leader.detail["session"] == session.pk
    assert about_leader.detail["mutual_evaluations"] == [world.pk("mutual")]
    assert about_leader.detail["self_evaluation"] == session.self_evaluations.get(member=leader).pk


def test_the_leader_on_the_console_is_logged_for_the_others_not_for_themselves(client, world, leader, member):  # noqa: F811
    session = world.objects["session"]
    client.force_login(leader.user)
    assert client.get(reverse("sanping:console", args=[session.pk])).status_code == 200
    logged = {e.target_id for e in reads(actor=leader)}
    assert member.pk in logged and leader.pk not in logged
    assert {e.detail["page"] for e in reads(actor=leader)} == {"console"}


def test_the_committee_on_the_session_page_is_logged(client, world, committee, leader):  # noqa: F811
    client.force_login(committee.user)
    assert client.get(reverse("sanping:session", args=[world.pk("session")])).status_code == 200
    about_leader = next(e for e in reads(actor=committee) if e.target_id == leader.pk)
    assert about_leader.detail["page"] == "session" and about_leader.detail["mutual_evaluations"] == [world.pk("mutual")]


@pytest.mark.parametrize("page", ["sanping:session", "sanping:record"])
def test_a_participant_reading_their_group_session_is_not_logged(client, world, member, page):  # noqa: F811
    """A member sees their own material, the evaluations about them and by them, and
    (after the opening) the group's submitted material, which was read aloud anyway."""
    client.force_login(member.user)
    assert client.get(reverse(page, args=[world.pk("session")])).status_code == 200
    assert not reads()


def test_the_source_of_a_rectification_item_is_logged_for_the_branch_not_for_its_member(client, world, member,  # noqa: F811
                                                                                        committee):
    session = world.objects["session"]
    item = RectificationItem.objects.create(
        session=session, member=member, problem="理论学习不够", measure="每周学习", deadline=timezone.localdate()
        + datetime.timedelta(days=9), source_self_evaluation=session.self_evaluations.get(member=member),
    )
    url = reverse("sanping:item", args=[item.pk])
    client.force_login(member.user)
    assert client.get(url).status_code == 200
    assert not reads()
    client.force_login(committee.user)
    assert client.get(url).status_code == 200
    [event] = reads()
    assert event.actor == committee and event.target_id == member.pk and event.detail["page"] == "rectification_item"


def test_a_polled_part_writes_nothing(client, world, leader):  # noqa: F811
    client.force_login(leader.user)
    console = reverse("sanping:console", args=[world.pk("session")])
    response = client.get(console, {"part": "mutual", "member": world.pk("third")}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


# The administrator's page -------------------------------------------------------------------


def test_staff_read_the_log_filtered_by_action_and_cannot_change_it(client, world, secretary, staff):  # noqa: F811
    client.force_login(secretary.user)
    client.get(reverse("sanping:record", args=[world.pk("session")]))
    AuditEvent.objects.create(actor=secretary, branch_id=secretary.branch_id, action=AuditEvent.Action.EXPORT_ROSTER,
                              target_type="members.branch", target_id=secretary.branch_id, target_label="花名册导出")
    client.force_login(staff)
    changelist = reverse("admin:meetings_auditevent_changelist")
    everything = client.get(changelist).content.decode()
    assert "花名册导出" in everything and "赵第三" in everything
    response = client.get(changelist, {"action__exact": READ})
    assert response.status_code == 200
    html = response.content.decode()
    assert "花名册导出" not in html and "赵第三" in html
    assert response.context["cl"].result_count == len(reads())
    by_branch = client.get(changelist, {"action__exact": READ, "branch__id__exact": secretary.branch_id})
    assert by_branch.context["cl"].result_count == len(reads())
    event = reads()[0]
    assert client.get(reverse("admin:meetings_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:meetings_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    detail = client.post(reverse("admin:meetings_auditevent_change", args=[event.pk]), {"action": "export_ledger"})
    assert detail.status_code in (200, 403)
    event.refresh_from_db()
    assert event.action == READ


def test_members_do_not_reach_the_log(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("admin:meetings_auditevent_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_roster_export_is_logged_with_its_filters(client, secretary, member, group):
    client.force_login(secretary.user)
    response = client.get(reverse("roster_export"), {"group": group.pk})
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_ROSTER)
    assert event.actor == secretary and event.branch_id == secretary.branch_id
    assert event.target_type == "members.branch" and event.detail == {"filters": {"group": [str(group.pk)]}}
