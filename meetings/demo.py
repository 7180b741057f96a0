"""A year of meetings and thought reports for the demo branch (`manage.py seed_demo`).

Dates are laid out relative to the current month, so that the dashboard and the review
queue always have something real to show: older records approved, last month's waiting
for review or returned, this month's being written, upcoming ones scheduled, and a few
obligations deliberately missed. Running it again on the same day changes nothing; on a
later day it adds only the meetings that the new date brings into the plan.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from members.models import Branch, Member

from .models import AgendaItem, Attendance, Meeting, ReviewEvent, ThoughtReport

TOPICS = [
    ("学习习近平新时代中国特色社会主义思想有关篇目", "study"),
    ("传达学习上级关于作风建设的通知精神", "directives"),
    ("党员汇报近期思想、工作和学习情况", "thought_reports"),
    ("开展批评与自我批评", "criticism"),
    ("讨论发展党员和党费收缴工作", "party_affairs"),
    ("分析本组党员思想状况", "thinking_analysis"),
    ("学习《中国共产党纪律处分条例》", "study"),
    ("研究落实年度重点工作任务的意见", "directives"),
]
PLACES = ["三楼党员活动室", "五楼小会议室", "二楼会议室", "党建活动中心"]
NOTES = [
    "大家结合本职工作谈了学习体会，认为要把学习成果转化为推动工作的实际成效。",
    "与会同志逐一发言，查摆了工作作风方面的不足，提出了改进措施。",
    "会议对下一阶段工作作了安排，明确了责任人和完成时限。",
    "党员们汇报了近期思想状况，整体积极向上，个别同志反映工作压力较大。",
]
REPORT_TITLES = ["近期思想汇报", "学习党的创新理论的体会", "关于改进工作作风的思想汇报", "参加主题党日活动的体会"]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _month_start(today: datetime.date, months_back: int) -> datetime.date:
    month_index = today.year * 12 + today.month - 1 - months_back
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def _plan(today: datetime.date, group_index: int) -> list[tuple[datetime.date, str, str]]:
    """(day, kind, state) of the meetings of one group over the last twelve months and the next two weeks."""
    plan = []
    for back in range(11, -1, -1):
        month = _month_start(today, back)
        # The third group skipped two months last summer: the dashboard shows why that matters.
        if group_index == 2 and back in (4, 5):
            continue
        day = month.replace(day=min(10 + group_index * 4, 28))
        kind = Meeting.Kind.GROUP_MEETING
        if month.month in (6, 12) or (month.month in (5, 11) and group_index == 0):
            kind = Meeting.Kind.DEMOCRATIC_LIFE if group_index != 1 else Meeting.Kind.SANPING
        if month.month in (4, 10) and group_index != 2:
            kind = Meeting.Kind.THEME_DAY
        if day >= today:
            continue  # this month's meeting is still to come: scheduled below
        if back == 0:
            state = [Meeting.State.HELD, Meeting.State.SUBMITTED, Meeting.State.HELD][group_index]
        elif back == 1:
            state = [Meeting.State.SUBMITTED, Meeting.State.RETURNED, Meeting.State.APPROVED][group_index]
        else:
            state = Meeting.State.APPROVED
        plan.append((day, kind, state))
    plan.append((today + datetime.timedelta(days=5 + group_index * 3), Meeting.Kind.GROUP_MEETING, Meeting.State.SCHEDULED))
    if group_index == 0:
        plan.append((today + datetime.timedelta(days=20), Meeting.Kind.THEME_DAY, Meeting.State.DRAFT))
        plan.append((today + datetime.timedelta(days=6), Meeting.Kind.SANPING, Meeting.State.SCHEDULED))
    return plan


TITLES = {
    Meeting.Kind.GROUP_MEETING: "{month}月党小组会",
    Meeting.Kind.THEME_DAY: "{month}月主题党日活动",
    Meeting.Kind.DEMOCRATIC_LIFE: "{half}组织生活会（民主生活会）",
    Meeting.Kind.SANPING: "{year}年{half}党小组“三评”会",
}


def _title(kind: str, day: datetime.date) -> str:
    return TITLES[kind].format(year=day.year, month=day.month, half="上半年" if day.month <= 6 else "下半年")


@transaction.atomic
def seed_meetings(branch: Branch, *, today: datetime.date | None = None) -> int:
    """Create the demo meetings of every group of `branch` that do not exist yet; returns how many."""
    today = today or timezone.localdate()
    committee = list(branch.members.filter(branch_role__in=[Member.BranchRole.SECRETARY, Member.BranchRole.COMMITTEE]))
    secretary = next(m for m in committee if m.branch_role == Member.BranchRole.SECRETARY)
    created = 0
    for group_index, group in enumerate(branch.groups.order_by("position", "name")):
        members = list(group.members.filter(user__is_active=True).order_by("number"))
        leader = group.leader or members[0]
        rng = random.Random(f"{group.pk}-{today:%Y-%m}")
        for day, kind, state in _plan(today, group_index):
            starts_at = _at(day, 14, 30)
            title = _title(kind, day)
            if Meeting.objects.filter(group=group, starts_at=starts_at, title=title).exists():
                continue
            meeting = _create_meeting(group, leader, members, secretary, starts_at, kind, state, title, rng)
            created += 1
            if kind == Meeting.Kind.SANPING:
                from sanping.demo import fill_held_session, prepare_upcoming_session

                (fill_held_session if meeting.took_place else prepare_upcoming_session)(meeting, rng)
            if meeting.took_place and kind in (Meeting.Kind.GROUP_MEETING, Meeting.Kind.DEMOCRATIC_LIFE):
                speaker = rng.choice([m for m in members if m != leader])
                ThoughtReport.objects.create(
                    member=speaker, mode=ThoughtReport.Mode.ORAL, state=ThoughtReport.State.SUBMITTED,
                    title="会上口头汇报思想", content=rng.choice(NOTES), meeting=meeting, submitted_at=meeting.starts_at,
                    recorded_by=leader,
                )
        created += _seed_written_reports(members, today, rng)
    return created


def _create_meeting(group, leader, members, secretary, starts_at, kind, state, title, rng) -> Meeting:
    took_place = state in Meeting.TOOK_PLACE
    recorder = next((m for m in members if m != leader), leader)
    meeting = Meeting.objects.create(
        group=group, kind=kind, title=title, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2),
        place=rng.choice(PLACES), chair=leader, recorder=recorder, created_by=leader, state=state,
        published_at=None if state == Meeting.State.DRAFT else starts_at - datetime.timedelta(days=7),
        closed_at=starts_at + datetime.timedelta(hours=2) if took_place else None,
        minutes="会议由党小组长主持，首先宣布了会议议题，随后按议题逐项研究讨论。" if took_place else "",
        summary="本次会议主题明确，发言积极。下一步要把学习成果落实到具体工作中。" if took_place else "",
    )
    for position, (topic, category) in enumerate(rng.sample(TOPICS, 2), start=1):
        AgendaItem.objects.create(
            meeting=meeting, position=position, title=topic, category=category,
            notes=rng.choice(NOTES) if took_place else "",
        )
    for person in members:
        status = Attendance.Status.UNMARKED
        reason = ""
        if took_place and person == leader:
            status = Attendance.Status.PRESENT  # the leader chairs
        elif took_place:
            roll = rng.random()
            status = Attendance.Status.PRESENT if roll > 0.12 else Attendance.Status.LEAVE if roll > 0.03 else Attendance.Status.ABSENT
            reason = rng.choice(["出差", "病假", "参加上级培训"]) if status == Attendance.Status.LEAVE else ""
        makeup = starts_at.date() + datetime.timedelta(days=5) if status == Attendance.Status.LEAVE and rng.random() > 0.3 else None
        if makeup and makeup > timezone.localdate():
            makeup = None
        Attendance.objects.create(meeting=meeting, member=person, status=status, leave_reason=reason,
                                  makeup_done_on=makeup, makeup_note="自学会议材料" if makeup else "")
    if kind in (Meeting.Kind.DEMOCRATIC_LIFE, Meeting.Kind.SANPING) and secretary.group_id != group.pk:
        Attendance.objects.create(meeting=meeting, member=secretary, is_guest=True,
                                  status=Attendance.Status.PRESENT if took_place else Attendance.Status.UNMARKED)
    _review(meeting, leader, secretary, state)
    return meeting


def _review(meeting: Meeting, leader: Member, secretary: Member, state: str) -> None:
    later = meeting.starts_at + datetime.timedelta(days=2)
    if state in (Meeting.State.SUBMITTED, Meeting.State.RETURNED, Meeting.State.APPROVED):
        ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.SUBMITTED, by=leader, at=later)
        Meeting.objects.filter(pk=meeting.pk).update(submitted_at=later)
    if state == Meeting.State.RETURNED:
        ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.RETURNED, by=secretary,
                                   at=later + datetime.timedelta(days=1), comment="请补充党员发言的具体内容和整改措施。")
    if state == Meeting.State.APPROVED:
        approved = later + datetime.timedelta(days=3)
        ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.APPROVED, by=secretary, at=approved)
        Meeting.objects.filter(pk=meeting.pk).update(approved_at=approved, approved_by=secretary)


def _seed_written_reports(members: list[Member], today: datetime.date, rng: random.Random) -> int:
    """Written thought reports every two months, with a few members behind."""
    created = 0
    for index, person in enumerate(members):
        behind = index % 4 == 3
        for back in range(10, -1, -2):
            if behind and back < 4:
                continue
            day = _month_start(today, back) + datetime.timedelta(days=(index * 3) % 20)
            if day > today:
                continue
            submitted_at = _at(day, 20)
            title = rng.choice(REPORT_TITLES)
            if ThoughtReport.objects.filter(member=person, mode=ThoughtReport.Mode.WRITTEN, submitted_at=submitted_at).exists():
                continue
            ThoughtReport.objects.create(
                member=person, title=title, state=ThoughtReport.State.SUBMITTED, submitted_at=submitted_at,
                content="通过近期学习，我进一步认识到加强党性修养的重要性。在工作中还存在学习不够系统、"
                        "联系群众不够紧密等不足，今后要认真对照党章党规，切实加以改进。",
            )
            created += 1
    return created
