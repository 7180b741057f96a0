"""A realistic large dataset for load tests and query budgets: `manage.py seed_demo --scale large`.

LARGE is 20 branches of 100 groups of 10 members (20,000 members and sign-ins) with
three years of meetings laid out relative to today, as the small demo does: a meeting
a month per group (thematic party days in April and October, a 三评 session in June
and December), now and then a month missed; older records approved, last month's
partly waiting for review or returned, this month's being written; every 三评 held
with its whole record (self-evaluations and their submitted versions, speaking order,
mutual evaluations, the leader's comments, rectification items and their progress);
written thought reports every two months (a few members behind) and oral ones at
meetings; a year of notifications. Every group also has a 三评 session coming up, in
preparation, so that members have a draft self-evaluation to write.

Sign-in names are predictable, for the load test (bench/load/locustfile.py):
`b01g001m01` is member 1 of group 1 of branch 1. Member 1 of each group leads it;
member 2 of group 1 is the branch secretary, member 2 of groups 2 and 3 are committee
members. Everyone's password is DEMO_PASSWORD, hashed once and reused.

Rows are written with bulk_create in batches, branch by branch, each branch in one
transaction: an interrupted run leaves whole branches, and a rerun skips the branches
already there. No history rows are written for generated data (simple-history records
changes people make; this is not one), and no notification is sent.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, reset_queries, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from meetings.cadence import rules_for
from meetings.demo import NOTES, PLACES, REPORT_TITLES, TOPICS
from meetings.models import AgendaItem, Attendance, Meeting, Notification, ReviewEvent, ThoughtReport
from members.demo import DEMO_PASSWORD
from members.models import Branch, Member, PartyGroup

from .demo import CAUSES, DIRECTIONS, MEASURES, MUTUALS, PROBLEMS
from .models import (
    DEFAULT_METHOD,
    DEFAULT_PURPOSE,
    DEFAULT_REQUIREMENTS,
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    RectificationProgress,
    SanpingSession,
    SelfEvaluation,
    SelfEvaluationVersion,
    SpeakingSlot,
)

Kind = Meeting.Kind
State = Meeting.State
Status = Attendance.Status
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    branches: int
    groups: int  # per branch
    members: int  # per group, at least 3 (a leader, the branch's secretary or a committee member, a member)
    months: int  # of history before the current month, which counts too

    @property
    def total_members(self) -> int:
        return self.branches * self.groups * self.members


LARGE = Scale(branches=20, groups=100, members=10, months=36)


def username(branch_no: int, group_no: int, member_no: int) -> str:
    return f"b{branch_no:02d}g{group_no:03d}m{member_no:02d}"


def leader_username(branch_no: int, group_no: int) -> str:
    return username(branch_no, group_no, 1)


def secretary_username(branch_no: int) -> str:
    return username(branch_no, 1, 2)


def committee_usernames(branch_no: int, scale: Scale = LARGE) -> list[str]:
    return [username(branch_no, group_no, 2) for group_no in (2, 3) if group_no <= scale.groups]


def branch_name(branch_no: int) -> str:
    return f"规模演示第{branch_no:02d}党支部"


def group_name(group_no: int) -> str:
    return f"第{group_no}党小组"


# Member numbers whose draft is already submitted in the upcoming 三评: the last three of
# a group of ten. The load test writes as members 3 to 7, whose material is a draft.
def submitted_in_preparation(member_no: int, scale: Scale) -> bool:
    return member_no > max(scale.members - 3, 2)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志红梅文斌宇浩凯晨欣怡佳雪婷琳"
DEPARTMENTS = ["办公室", "综合处", "政策法规处", "发展规划处", "人事处", "计划财务处", "信息中心", "机关党委", "督查室", "法规处"]
POSITIONS = ["科员", "科员", "三级主任科员", "二级主任科员", "一级主任科员", "四级调研员", "副处长", "处长"]


@dataclass
class SeedReport:
    created_branches: int = 0
    skipped_branches: int = 0
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def seed_large(scale: Scale = LARGE, *, today: datetime.date | None = None,
               log: Callable[[str], None] | None = None) -> SeedReport:
    """Create the branches of `scale` that do not exist yet, each in one transaction."""
    today = today or timezone.localdate()
    report = SeedReport()
    started = time.monotonic()
    password = make_password(DEMO_PASSWORD)  # hashed once: 20,000 hashes would take hours
    existing = set(Branch.objects.filter(name__in=[branch_name(b) for b in range(1, scale.branches + 1)])
                   .values_list("name", flat=True))
    for branch_no in range(1, scale.branches + 1):
        if branch_name(branch_no) in existing:
            report.skipped_branches += 1
            continue
        branch_started = time.monotonic()
        rows = _BranchSeeder(branch_no, scale, today, password).run()
        report.rows.update(rows)
        report.created_branches += 1
        if log:
            log(f"  {branch_name(branch_no)}: {sum(rows.values()):,} rows in {time.monotonic() - branch_started:.1f} s")
    if report.created_branches and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics for the pages that read these tables
    report.seconds = time.monotonic() - started
    return report


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _month_start(today: datetime.date, months_back: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _title(kind: str, day: datetime.date) -> str:
    half = "上半年" if day.month <= 6 else "下半年"
    return {
        Kind.GROUP_MEETING: f"{day.month}月党小组会",
        Kind.THEME_DAY: f"{day.month}月主题党日活动",
        Kind.DEMOCRATIC_LIFE: f"{half}组织生活会（民主生活会）",
        Kind.SANPING: f"{day.year}年{half}党小组“三评”会",
    }[kind]


class _BranchSeeder:
    """Builds one branch: rows are made in memory, then written model by model."""

    def __init__(self, branch_no: int, scale: Scale, today: datetime.date, password: str):
        self.no, self.scale, self.today, self.password = branch_no, scale, today, password
        self.rng = random.Random(f"sanping-large-{branch_no}")
        self.now = timezone.now()
        self.rows: Counter = Counter()
        self.meeting_url = reverse("meetings:detail", args=[987654321]).replace("987654321", "{}")

    def bulk(self, model: type[models.Model], objects: list) -> list:
        model.objects.bulk_create(objects, batch_size=BATCH)
        self.rows[model._meta.label] += len(objects)
        # Under DEBUG Django keeps the text of the last 9,000 queries: of bulk inserts,
        # that is most of a gigabyte.
        reset_queries()
        return objects

    @transaction.atomic
    def run(self) -> Counter:
        self.branch = Branch.objects.create(name=branch_name(self.no), short_name=f"演示{self.no:02d}支部")
        self.rows["members.Branch"] += 1
        rules_for(self.branch)  # the default cadence rules
        self.people()
        self.meetings()
        self.sessions()
        self.written_reports()
        self.notifications()
        return self.rows

    # People ------------------------------------------------------------------------

    def people(self) -> None:
        scale, rng = self.scale, self.rng
        self.groups = self.bulk(PartyGroup, [
            PartyGroup(branch=self.branch, name=group_name(g), position=g) for g in range(1, scale.groups + 1)
        ])
        plan = [(g, m) for g in range(1, scale.groups + 1) for m in range(1, scale.members + 1)]
        User = get_user_model()
        users = self.bulk(User, [
            User(username=username(self.no, g, m), email=f"{username(self.no, g, m)}@example.org", password=self.password)
            for g, m in plan
        ])
        members = []
        for (g, m), user in zip(plan, users):
            role = ""
            if m == 2 and g == 1:
                role = Member.BranchRole.SECRETARY
            elif m == 2 and g in (2, 3):
                role = Member.BranchRole.COMMITTEE
            born = datetime.date(1965 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29))
            probationary = rng.random() < 0.04 and m > 2
            joined = self.today - datetime.timedelta(days=rng.randrange(60, 300)) if probationary else \
                born.replace(year=born.year + 22 + rng.randrange(10))
            members.append(Member(
                user=user, branch=self.branch, group=self.groups[g - 1],
                number=f"B{self.no:02d}G{g:03d}M{m:02d}",
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                gender=rng.choice(Member.Gender.values), birth_date=born,
                department=DEPARTMENTS[(g - 1) % len(DEPARTMENTS)], position=rng.choice(POSITIONS),
                status=Member.Status.PROBATIONARY if probationary else Member.Status.FULL,
                joined_party_on=joined, full_member_on=None if probationary else joined.replace(year=joined.year + 1),
                phone=f"139{self.no:02d}{g:03d}{m:03d}", branch_role=role,
            ))
        self.bulk(Member, members)
        # by_group[g] lists the group's members in number order; [0] leads the group.
        self.by_group = [members[i * scale.members:(i + 1) * scale.members] for i in range(scale.groups)]
        for group, people in zip(self.groups, self.by_group):
            group.leader = people[0]
        PartyGroup.objects.bulk_update(self.groups, ["leader"], batch_size=BATCH)
        self.committee = [m for m in members if m.branch_role]
        self.secretary = next(m for m in self.committee if m.branch_role == Member.BranchRole.SECRETARY)

    # Meetings ----------------------------------------------------------------------

    def plan(self, g: int) -> list[tuple[datetime.date, str, str]]:
        """(day, kind, state) of group g's meetings, oldest first, and its upcoming 三评."""
        rng, plan = self.rng, []
        for back in range(self.scale.months, -1, -1):
            month = _month_start(self.today, back)
            if back >= 2 and rng.random() < 0.03:
                continue  # a month missed now and then: the dashboard shows the gap
            if back <= 1 and g % 17 == 0:
                continue  # a few groups behind lately: overdue on the dashboard
            day = month.replace(day=4 + (g * 5) % 22)
            if day >= self.today:
                continue
            kind = Kind.SANPING if month.month in (6, 12) else Kind.THEME_DAY if month.month in (4, 10) else Kind.GROUP_MEETING
            if back == 0:
                state = (State.HELD, State.SUBMITTED)[g % 2]
            elif back == 1:
                state = {0: State.SUBMITTED, 1: State.RETURNED}.get(g % 5, State.APPROVED)
            else:
                state = State.APPROVED
            plan.append((day, kind, state))
        plan.append((self.today + datetime.timedelta(days=2 + g % 12), Kind.SANPING, State.SCHEDULED))
        return plan

    def meetings(self) -> None:
        rng = self.rng
        meetings, agenda, attendance, events, oral = [], [], [], [], []
        self.meeting_people: list[tuple[Meeting, list[Member], list[Attendance]]] = []
        for g, (group, people) in enumerate(zip(self.groups, self.by_group), start=1):
            leader = people[0]
            recorder = people[-1]
            for day, kind, state in self.plan(g):
                starts_at = _at(day, 14, 30)
                took_place = state in Meeting.TOOK_PLACE
                later = starts_at + datetime.timedelta(days=2)
                meeting = Meeting(
                    group=group, kind=kind, title=_title(kind, day), starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=2), place=rng.choice(PLACES), chair=leader,
                    recorder=recorder, created_by=leader, state=state,
                    published_at=min(starts_at - datetime.timedelta(days=7), self.now - datetime.timedelta(hours=6)),
                    closed_at=starts_at + datetime.timedelta(hours=2) if took_place else None,
                    minutes="会议由党小组长主持，首先宣布了会议议题，随后按议题逐项研究讨论。" if took_place else "",
                    summary="本次会议主题明确，发言积极。下一步要把学习成果落实到具体工作中。" if took_place else "",
                    submitted_at=later if state in (State.SUBMITTED, State.RETURNED, State.APPROVED) else None,
                    approved_at=later + datetime.timedelta(days=3) if state == State.APPROVED else None,
                    approved_by=self.secretary if state == State.APPROVED else None,
                )
                meetings.append(meeting)
                rows = []
                for person in people:
                    status, reason, makeup = Status.UNMARKED, "", None
                    if took_place:
                        roll = rng.random()
                        status = Status.PRESENT if person is leader or roll > 0.12 else Status.LEAVE if roll > 0.03 else Status.ABSENT
                    if status == Status.LEAVE:
                        reason = rng.choice(("出差", "病假", "参加上级培训"))
                        if rng.random() > 0.3 and day + datetime.timedelta(days=5) <= self.today:
                            makeup = day + datetime.timedelta(days=5)
                    rows.append(Attendance(meeting=meeting, member=person, status=status, leave_reason=reason,
                                           makeup_done_on=makeup, makeup_note="自学会议材料" if makeup else ""))
                if kind == Kind.SANPING:
                    guest = self.committee[g % len(self.committee)]
                    if guest.group_id != group.pk:
                        attendance.append(Attendance(meeting=meeting, member=guest, is_guest=True,
                                                     status=Status.PRESENT if took_place else Status.UNMARKED))
                attendance.extend(rows)
                self.meeting_people.append((meeting, people, rows))
                for position, (topic, category) in enumerate(rng.sample(TOPICS, 2), start=1):
                    agenda.append(AgendaItem(meeting=meeting, position=position, title=topic, category=category,
                                             notes=rng.choice(NOTES) if took_place else ""))
                if meeting.submitted_at:
                    events.append(ReviewEvent(meeting=meeting, action=ReviewEvent.Action.SUBMITTED, by=leader, at=later))
                if state == State.RETURNED:
                    events.append(ReviewEvent(meeting=meeting, action=ReviewEvent.Action.RETURNED, by=self.secretary,
                                              at=later + datetime.timedelta(days=1), comment="请补充党员发言的具体内容和整改措施。"))
                if state == State.APPROVED:
                    events.append(ReviewEvent(meeting=meeting, action=ReviewEvent.Action.APPROVED, by=self.secretary,
                                              at=meeting.approved_at))
                if took_place and kind == Kind.GROUP_MEETING:
                    speaker = rng.choice([r.member for r in rows[1:] if r.status == Status.PRESENT] or [leader])
                    oral.append(ThoughtReport(
                        member=speaker, mode=ThoughtReport.Mode.ORAL, state=ThoughtReport.State.SUBMITTED,
                        title="会上口头汇报思想", content=rng.choice(NOTES), meeting=meeting, submitted_at=starts_at,
                        recorded_by=leader,
                    ))
        self.bulk(Meeting, meetings)
        self.bulk(AgendaItem, agenda)
        self.bulk(Attendance, attendance)
        self.events = self.bulk(ReviewEvent, events)
        self.bulk(ThoughtReport, oral)

    # 三评 sessions -----------------------------------------------------------------

    def sessions(self) -> None:
        rng = self.rng
        with translation.override("zh-hans"):
            texts = {"purpose": str(DEFAULT_PURPOSE), "method": str(DEFAULT_METHOD), "requirements": str(DEFAULT_REQUIREMENTS)}
        held, upcoming = [], []
        for meeting, people, rows in self.meeting_people:
            if meeting.kind != Kind.SANPING:
                continue
            if meeting.took_place:
                session = SanpingSession(
                    meeting=meeting, stage=SanpingSession.Stage.RECTIFICATION, opened_at=meeting.starts_at, **texts,
                    achievements="大家会前准备认真，对照党章党规查摆问题具体，自我剖析比较深刻。",
                    shortcomings="个别同志查摆问题避重就轻，批评他人时顾虑较多。",
                    next_steps="每位同志对照整改措施逐条落实，下次党小组会通报整改落实情况。",
                )
                held.append((session, people, rows))
            else:
                upcoming.append((SanpingSession(meeting=meeting, **texts), people))
        self.bulk(SanpingSession, [s for s, _p, _r in held] + [s for s, _p in upcoming])

        evaluations, versions, slots, mutuals, comments = [], [], [], [], []
        items_of: list[tuple[SanpingSession, Member, SelfEvaluation, int]] = []
        for session, people, rows in held:
            meeting = session.meeting
            own = {}
            for person in people:
                evaluation = SelfEvaluation(session=session, member=person, problems=rng.choice(PROBLEMS),
                                            causes=rng.choice(CAUSES), direction=rng.choice(DIRECTIONS),
                                            state=SelfEvaluation.State.SUBMITTED)
                own[person.pk] = evaluation
                evaluations.append(evaluation)
                versions.append(SelfEvaluationVersion(
                    evaluation=evaluation, number=1, problems=evaluation.problems, causes=evaluation.causes,
                    direction=evaluation.direction, submitted_at=meeting.starts_at - datetime.timedelta(days=2)))
            present = [r.member for r in rows if r.status == Status.PRESENT]
            for position, person in enumerate(present, start=1):
                spoke_at = meeting.starts_at + datetime.timedelta(minutes=10 * position)
                slots.append(SpeakingSlot(session=session, member=person, position=position, spoke_at=spoke_at,
                                          notes=f"{person.name}对照党章党规查摆了问题，剖析了原因，明确了整改方向。"))
                others = [p for p in present if p is not person]
                for evaluator in rng.sample(others, k=min(2, len(others))):
                    mutuals.append(MutualEvaluation(session=session, evaluator=evaluator, evaluatee=person,
                                                    problems=rng.choice(MUTUALS), suggestions="希望进一步改进。",
                                                    created_at=spoke_at + datetime.timedelta(minutes=5)))
                comments.append(LeaderComment(session=session, member=person, text="自我剖析比较深刻，要把整改措施落到实处。"))
                items_of.append((session, person, own[person.pk], position - 1))
        for session, people in upcoming:
            for number, person in enumerate(people, start=1):
                evaluation = SelfEvaluation(session=session, member=person)
                if submitted_in_preparation(number, self.scale):
                    evaluation.problems, evaluation.causes = rng.choice(PROBLEMS), rng.choice(CAUSES)
                    evaluation.direction, evaluation.state = rng.choice(DIRECTIONS), SelfEvaluation.State.SUBMITTED
                    versions.append(SelfEvaluationVersion(evaluation=evaluation, number=1, problems=evaluation.problems,
                                                          causes=evaluation.causes, direction=evaluation.direction,
                                                          submitted_at=self.now - datetime.timedelta(days=1)))
                elif number % 2 == 0:
                    evaluation.problems = rng.choice(PROBLEMS)  # half-written
                evaluations.append(evaluation)
            if len(people) >= 4:
                mutuals.append(MutualEvaluation(session=session, evaluator=people[2], evaluatee=people[3], in_advance=True,
                                                problems=rng.choice(MUTUALS), suggestions="会前多做准备。",
                                                created_at=self.now - datetime.timedelta(days=1)))
        self.bulk(SelfEvaluation, evaluations)
        self.bulk(SelfEvaluationVersion, versions)
        # The version each member presented: the first (and only) one, once the session opened.
        presented = SelfEvaluationVersion.objects.filter(evaluation=OuterRef("pk"), number=1).values("pk")[:1]
        SelfEvaluation.objects.filter(
            session__meeting__group__branch=self.branch, session__stage=SanpingSession.Stage.RECTIFICATION,
        ).update(presented=Subquery(presented))
        self.bulk(SpeakingSlot, slots)
        self.bulk(MutualEvaluation, mutuals)
        self.bulk(LeaderComment, comments)
        self.rectification(items_of)

    def rectification(self, items_of) -> None:
        rng, items, progress = self.rng, [], []
        a_year_ago = self.today - datetime.timedelta(days=365)
        for session, person, evaluation, index in items_of:
            meeting = session.meeting
            leader = meeting.chair
            day = timezone.localdate(meeting.starts_at)
            deadline = day + datetime.timedelta(days=45 + 30 * (index % 4))
            item = RectificationItem(session=session, member=person, problem=evaluation.problems,
                                     measure=rng.choice(MEASURES), deadline=deadline, source_self_evaluation=evaluation)
            done_at = _at(min(deadline, self.today - datetime.timedelta(days=1)), 18)
            notes = [RectificationProgress(item=item, by=person, at=_at(day + datetime.timedelta(days=7), 20),
                                           note="已制定计划，正在落实。")]
            if person.pk != leader.pk and (day < a_year_ago or index % 3 == 0):
                item.state, item.evidence = RectificationItem.State.VERIFIED, "已按计划完成，学习笔记已提交党小组。"
                item.done_at, item.verified_at, item.verified_by = done_at, done_at + datetime.timedelta(days=2), leader
                notes.append(RectificationProgress(item=item, by=person, kind=RectificationProgress.Kind.DONE,
                                                   at=done_at, note=item.evidence))
                notes.append(RectificationProgress(item=item, by=leader, kind=RectificationProgress.Kind.VERIFIED,
                                                   at=item.verified_at))
            elif day < a_year_ago or index % 3 == 1:
                item.state, item.evidence, item.done_at = RectificationItem.State.DONE, "已建立台账并逐项跟进。", done_at
                notes.append(RectificationProgress(item=item, by=person, kind=RectificationProgress.Kind.DONE,
                                                   at=done_at, note=item.evidence))
            items.append(item)
            progress.extend(notes)
        self.bulk(RectificationItem, items)
        self.bulk(RectificationProgress, progress)

    # Thought reports and notifications ------------------------------------------------

    def written_reports(self) -> None:
        rng, reports = self.rng, []
        for g, people in enumerate(self.by_group, start=1):
            for m, person in enumerate(people, start=1):
                behind = (g * 7 + m) % 9 == 0
                for back in range(self.scale.months, -1, -1):
                    month = _month_start(self.today, back)
                    if month.month % 2 == 0 or (behind and back < 4):
                        continue  # one report per two-month period (Jan–Feb, Mar–Apr, ...)
                    day = month + datetime.timedelta(days=(g * 3 + m * 5) % 40)
                    if day > self.today:
                        continue
                    reports.append(ThoughtReport(
                        member=person, title=rng.choice(REPORT_TITLES), state=ThoughtReport.State.SUBMITTED,
                        submitted_at=_at(day, 20),
                        content="通过近期学习，我进一步认识到加强党性修养的重要性。在工作中还存在学习不够系统、"
                                "联系群众不够紧密等不足，今后要认真对照党章党规，切实加以改进。",
                    ))
        self.bulk(ThoughtReport, reports)

    def notifications(self) -> None:
        """A year of notices: each meeting published to its people, and the review steps."""
        since = self.now - datetime.timedelta(days=365)
        recent = self.now - datetime.timedelta(days=14)
        reviewers = self.committee
        rows = []

        def add(recipient, kind, key, params, url, at):
            rows.append(Notification(recipient=recipient, kind=kind, subject_key=key, params=params, url=url,
                                     created_at=at, read_at=None if at > recent else at + datetime.timedelta(hours=20)))

        for meeting, people, _rows in self.meeting_people:
            if meeting.published_at < since:
                continue
            url = self.meeting_url.format(meeting.pk)
            when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
            params = {"title": meeting.title, "when": when, "place": meeting.place}
            for person in people:
                add(person, "meeting_published", f"meeting:{meeting.pk}:published", params, url, meeting.published_at)
        for event in self.events:
            meeting = event.meeting
            if event.at < since:
                continue
            url = self.meeting_url.format(meeting.pk)
            key = f"meeting:{meeting.pk}:{event.action}:{event.pk}"
            if event.action == ReviewEvent.Action.SUBMITTED:
                for person in reviewers:
                    add(person, "record_submitted", key, {"title": meeting.title, "group": meeting.group.name,
                                                          "resubmission": False}, url, event.at)
            elif event.action == ReviewEvent.Action.RETURNED:
                add(meeting.chair, "record_returned", key, {"title": meeting.title, "comment": event.comment}, url, event.at)
            else:
                add(meeting.chair, "record_approved", key, {"title": meeting.title}, url, event.at)
        self.bulk(Notification, rows)
