"""The large demo's generator (sanping/demo_large.py), run at a tiny scale: the data it
makes hold together the way the application's own services would have made them."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from meetings.models import AgendaItem, Attendance, CadenceRule, Meeting, Notification, ReviewEvent, ThoughtReport
from members.models import Branch, Member, PartyGroup
from sanping import demo_large
from sanping.models import (
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    SanpingSession,
    SelfEvaluation,
    SpeakingSlot,
)

TINY = demo_large.Scale(branches=2, groups=3, members=6, months=7)
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def seeded(db):
    return demo_large.seed_large(TINY, today=TODAY)


def test_it_builds_the_people_of_the_scale_with_predictable_sign_ins(seeded):
    assert seeded.created_branches == 2
    assert Branch.objects.count() == 2
    assert PartyGroup.objects.count() == 6
    assert Member.objects.count() == TINY.total_members == 36
    assert CadenceRule.objects.count() == 2 * 5
    # Every member is in a group of their own branch; member 1 leads the group.
    assert not Member.objects.exclude(group__branch=F("branch")).exists()
    for group in PartyGroup.objects.select_related("leader__user"):
        assert group.leader.group_id == group.pk
        assert group.leader.user.username.endswith("m01")
    secretary = Member.objects.get(user__username=demo_large.secretary_username(2))
    assert secretary.branch_role == Member.BranchRole.SECRETARY and secretary.branch.name == demo_large.branch_name(2)
    assert set(Member.objects.filter(branch=secretary.branch, branch_role="committee")
               .values_list("user__username", flat=True)) == set(demo_large.committee_usernames(2, TINY))
    # One hash for everyone, and it is the demo password.
    assert authenticate(username="b02g003m06", password="sanping2026") is not None


def test_meetings_follow_the_cadence_and_the_records_are_reviewed(seeded):
    meetings = Meeting.objects.all()
    assert meetings.count() > 6 * 6
    assert not meetings.exclude(group__branch=F("chair__branch")).exists()
    # A meeting that took place has every member's attendance marked, the chair present.
    for meeting in meetings.filter(state__in=Meeting.TOOK_PLACE).prefetch_related("attendances"):
        rows = [a for a in meeting.attendances.all() if not a.is_guest]
        assert len(rows) == TINY.members
        assert all(a.status != Attendance.Status.UNMARKED for a in rows)
        assert any(a.member_id == meeting.chair_id and a.status == Attendance.Status.PRESENT for a in rows)
    approved = meetings.filter(state=Meeting.State.APPROVED)
    assert approved.exists()
    assert not approved.filter(approved_at=None).exists() and not approved.filter(approved_by=None).exists()
    assert not approved.exclude(review_events__action=ReviewEvent.Action.APPROVED).exists()
    assert meetings.filter(state=Meeting.State.SUBMITTED).exists() and meetings.filter(state=Meeting.State.RETURNED).exists()
    assert not meetings.annotate(n=Count("agenda_items")).exclude(n=2).exists()
    assert AgendaItem.objects.count() == 2 * meetings.count()
    # Three kinds over the year; every group has a 三评 coming up.
    assert set(meetings.values_list("kind", flat=True)) == {Meeting.Kind.GROUP_MEETING, Meeting.Kind.THEME_DAY,
                                                            Meeting.Kind.SANPING}
    upcoming = meetings.filter(state=Meeting.State.SCHEDULED, kind=Meeting.Kind.SANPING, starts_at__date__gt=TODAY)
    assert upcoming.count() == 6


def test_held_sessions_have_their_whole_record(seeded):
    held = SanpingSession.objects.filter(stage=SanpingSession.Stage.RECTIFICATION).select_related("meeting")
    assert held.exists()
    for session in held:
        present = set(session.meeting.attendances.filter(is_guest=False, status=Attendance.Status.PRESENT)
                      .values_list("member_id", flat=True))
        evaluations = SelfEvaluation.objects.filter(session=session)
        assert evaluations.count() == TINY.members
        assert not evaluations.exclude(state=SelfEvaluation.State.SUBMITTED).exists()
        assert not evaluations.filter(presented=None).exists()
        assert not evaluations.exclude(presented__evaluation=F("pk")).exists()
        assert set(SpeakingSlot.objects.filter(session=session).values_list("member_id", flat=True)) == present
        assert set(LeaderComment.objects.filter(session=session).values_list("member_id", flat=True)) == present
        mutuals = MutualEvaluation.objects.filter(session=session)
        assert set(mutuals.values_list("evaluatee_id", flat=True)) == present
        assert set(mutuals.values_list("evaluator_id", flat=True)) <= present
        items = RectificationItem.objects.filter(session=session)
        assert set(items.values_list("member_id", flat=True)) == present
        assert not items.exclude(source_self_evaluation__member=F("member")).exists()
    verified = RectificationItem.objects.filter(state=RectificationItem.State.VERIFIED)
    assert verified.exists()
    assert not verified.filter(verified_by=None).exists()
    assert not verified.filter(member=F("verified_by")).exists()  # nobody verifies their own item
    assert RectificationItem.objects.filter(state=RectificationItem.State.OPEN).exists()
    assert not RectificationItem.objects.filter(done_at__gt=timezone.now()).exists()


def test_members_have_a_draft_to_write_in_the_upcoming_session(seeded):
    preparing = SanpingSession.objects.filter(stage=SanpingSession.Stage.PREPARATION)
    assert preparing.count() == 6
    drafts = SelfEvaluation.objects.filter(session__in=preparing, state=SelfEvaluation.State.DRAFT)
    assert set(drafts.filter(session__meeting__group__name="第1党小组", session__meeting__group__branch__name=
                             demo_large.branch_name(1)).values_list("member__user__username", flat=True)) == {
        "b01g001m01", "b01g001m02", "b01g001m03"}
    assert not SelfEvaluation.objects.filter(session__in=preparing).exclude(presented=None).exists()


def test_thought_reports_and_notifications(seeded):
    written = ThoughtReport.objects.filter(mode=ThoughtReport.Mode.WRITTEN)
    assert written.values("member").distinct().count() == TINY.total_members
    assert not written.exclude(state=ThoughtReport.State.SUBMITTED).exists()
    assert ThoughtReport.objects.filter(mode=ThoughtReport.Mode.ORAL, meeting__state__in=Meeting.TOOK_PLACE).exists()
    notices = Notification.objects.all()
    assert notices.filter(kind="meeting_published").exists() and notices.filter(kind="record_approved").exists()
    assert notices.filter(read_at=None).exists() and notices.exclude(read_at=None).exists()
    assert not notices.filter(created_at__gt=timezone.now()).exists()  # nothing is published in the future
    # A notice reaches only people of the meeting's branch.
    for notice in notices.filter(kind="meeting_published")[:20]:
        meeting = Meeting.objects.get(pk=int(notice.subject_key.split(":")[1]))
        assert notice.recipient.branch_id == meeting.group.branch_id


def test_a_second_run_changes_nothing(seeded):
    counts = (Member.objects.count(), Meeting.objects.count(), Notification.objects.count())
    again = demo_large.seed_large(TINY, today=TODAY)
    assert (again.created_branches, again.skipped_branches, again.total_rows) == (0, 2, 0)
    assert (Member.objects.count(), Meeting.objects.count(), Notification.objects.count()) == counts


def test_the_pages_render_on_the_generated_data(client, seeded):
    """The personas the load test uses see their pages."""
    member = Member.objects.get(user__username="b01g002m03")
    session = SanpingSession.objects.get(stage=SanpingSession.Stage.PREPARATION, meeting__group=member.group)
    client.force_login(member.user)
    assert client.get("/").status_code == 200
    page = client.get(f"/sanping/{session.pk}/")
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    client.force_login(Member.objects.get(user__username=demo_large.leader_username(1, 2)).user)
    assert client.get(f"/sanping/{session.pk}/console/").status_code == 200
    client.force_login(Member.objects.get(user__username=demo_large.secretary_username(1)).user)
    for url in ("/cadence/", "/review/", "/members/", "/sanping/"):
        assert client.get(url).status_code == 200, url


def test_seed_demo_scale_large_runs_the_small_demo_first(db, monkeypatch, capsys):
    monkeypatch.setattr(demo_large, "LARGE", demo_large.Scale(branches=1, groups=2, members=3, months=2))
    call_command("seed_demo", "--scale", "large")
    assert Branch.objects.count() == 2  # the small demo's branch and one generated
    call_command("seed_demo", "--scale", "large")
    assert "already there; nothing changed" in capsys.readouterr().out
