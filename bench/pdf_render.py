"""How fast the PDF records render, how big they are, and whether memory stays put.

    .venv/bin/python bench/pdf_render.py [--runs 5] [--members 30] [--meetings 24] [--records 200] [--out DIR]

Builds, in a throwaway test database (in-memory SQLite, or test_<name> on the
PostgreSQL of DATABASE_URL), one group of `members` members with a year of
`meetings` approved meetings (two of them 三评 sessions with everything said in them:
self-evaluations, two mutual evaluations of each member, comments, notes,
rectification items; a third 三评 session the year before, whose rectification the
first one reports on) and six thought reports per member. Then:

  1. the full 三评 record of the last session, `runs` times: our part (queries and
     template) and WeasyPrint's part timed apart; pages and size. Target: under 1 s
     and under 600 KB for a 30-member session (about 12 pages);
  2. the group's yearly ledger of those meetings, built as the Celery task builds it.
     Target: under 10 s and under 3 MB;
  3. `records` renders in a row (meeting records and 三评 records in turn) in this one
     process, reading VmRSS from /proc/self/status after a warm-up and at the end.
     Target: growth under 100 MB.

With --out, the PDFs are also written there to be looked at. The database is
destroyed at the end.
"""

import argparse
import datetime
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings_test")
# As in production (and as pytest-django runs): no debug query log, no debug templates.
os.environ.setdefault("DEBUG", "0")

import warnings  # noqa: E402

# Without DEBUG, WhiteNoise looks for collected static files, which a bench does not need.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402

SANPING_SECONDS, SANPING_KB = 1.0, 600
LEDGER_SECONDS, LEDGER_MB = 10.0, 3
GROWTH_MB = 100

SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志"
PROBLEMS = [
    "理论学习不够系统深入，满足于完成规定学习任务，学用结合不够紧密，运用党的创新理论指导实践、推动工作的能力还有差距。",
    "联系群众不够紧密，深入基层调研少，对群众反映的急难愁盼问题跟进不够及时，服务意识有待增强。",
    "工作中有畏难情绪，遇到复杂问题、矛盾纠纷时主动担当不够，习惯按老办法办事，改革创新意识不强。",
    "执行请示报告制度不够严格，个别事项事后才报告；落实民主集中制有时流于形式，会前沟通不够充分。",
    "批评与自我批评开展得不够经常，存在好人主义思想，对同志的缺点和问题碍于情面不愿指出。",
    "厉行节约意识有所放松，对身边的铺张浪费现象提醒制止不够；八小时以外的自我约束有所松懈。",
]
CAUSES = [
    "理想信念的“总开关”拧得不够紧，党性修养有所放松，对自身要求不够严格，满足于过得去、差不多。",
    "宗旨意识有所淡化，对群众工作的重要性认识不足，习惯于坐在办公室里听汇报、看材料。",
    "思想上存在松劲情绪，觉得多年来工作没出过大问题，创新意识和担当精神不足，安于现状。",
    "纪律规矩意识还需增强，对党内法规制度学习不够深入，执行中存在打折扣、搞变通的苗头。",
]
DIRECTIONS = [
    "制定个人学习计划，每周集中学习不少于两小时，每月撰写一篇学习体会，做到学思用贯通。",
    "每月至少深入基层一次，建立问题台账，逐项跟进、按期销号，切实为群众办实事、解难题。",
    "严格执行请示报告制度，重要事项一律事前报告；主动开展谈心谈话，真诚开展批评与自我批评。",
]
MUTUALS = [
    "布置工作后跟进检查不够，有的任务落实情况没有及时掌握。",
    "汇报工作时重点不够突出，材料篇幅偏长，建议提炼要点。",
    "对年轻同志的传帮带不够，业务经验分享得少。",
    "开会发言准备不够充分，有时就事论事，缺少深入思考。",
    "工作节奏偏快，与其他处室沟通协调还可以更主动一些。",
]
SUGGESTIONS = ["希望进一步改进，把好的做法坚持下去。", "建议每周梳理一次工作清单，做到心中有数。", "会前多做准备，多听取大家意见。"]
COMMENTS = [
    "自我剖析比较深刻，查摆问题具体实在，要把整改措施落到实处，带头做好表率。",
    "能够正视自身不足，接受同志们的批评意见态度诚恳，希望在理论学习上再下功夫。",
    "查摆问题还可以更深入一些，要多从思想根源上找原因，整改措施要具体可检查。",
]
MEASURES = ["每周集中学习两小时，每月撰写一篇学习体会，年底前完成专题学习笔记。", "建立群众意见台账，逐项跟进、按期回复，每季度向党小组报告一次进展。",
            "重要事项一律事前请示报告，建立个人事项报告清单，接受党小组监督。"]
TOPICS = [("学习党的二十大精神", "study"), ("传达上级有关文件精神", "directives"), ("党员汇报思想", "thought_reports"),
          ("讨论党务工作", "party_affairs"), ("分析党员思想状况", "thinking_analysis")]
NOTES = "大家结合工作实际谈了学习体会。{name}发言认为，要把学习成果转化为推动工作的实际成效；有同志提出要加强处室之间的协同配合，形成工作合力。"
MINUTES = ("会议由党小组长主持。首先集体学习了有关文件，随后大家结合各自工作谈了认识和体会。{a}表示，要在学懂弄通做实上下功夫；{b}提出，"
           "要进一步改进工作作风，提高服务质量；{c}结合近期工作中遇到的问题，谈了自己的思考。最后，党小组长对下一阶段的学习和工作提出了要求。")


def build(members: int, meetings: int):
    """A branch with one big group and its secretary (in another group); returns
    (group, secretary, the last 三评 session, the ledger's year)."""
    from meetings.models import AgendaItem, Attendance, Meeting, ThoughtReport
    from members.models import Branch, Member, PartyGroup
    from sanping.models import (
        DEFAULT_METHOD, DEFAULT_PURPOSE, DEFAULT_REQUIREMENTS, LeaderComment, MutualEvaluation, RectificationItem,
        SanpingSession, SelfEvaluation, SelfEvaluationVersion, SpeakingSlot,
    )

    rng = random.Random(2026)
    User = get_user_model()
    branch = Branch.objects.create(name="机关第一党支部")
    group = PartyGroup.objects.create(branch=branch, name="第一党小组")
    office = PartyGroup.objects.create(branch=branch, name="支委会党小组", position=1)
    User.objects.bulk_create([User(username=f"bench{i}", password="!") for i in range(members + 1)])
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    names: set[str] = set()
    while len(names) < members + 1:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
    Member.objects.bulk_create([
        Member(user=user, branch=branch, group=group if i < members else office, number=f"B{i:05d}", name=name,
               department=rng.choice(["办公室", "综合处", "人事处", "财务处", "政策研究室"]),
               branch_role=Member.BranchRole.SECRETARY if i == members else Member.BranchRole.NONE)
        for i, (user, name) in enumerate(zip(users, sorted(names), strict=True))
    ])
    people = list(Member.objects.filter(group=group).order_by("number"))
    secretary = Member.objects.get(branch_role=Member.BranchRole.SECRETARY, branch=branch)
    leader = people[0]
    group.leader = leader
    group.save()

    year = datetime.date.today().year - 1
    zone = datetime.timezone(datetime.timedelta(hours=8))
    # Two a month; the 三评 sessions in June and December, the one before in December of the year before.
    days = sorted(datetime.date(year, 1 + i // 2, 8 if i % 2 == 0 else 22) for i in range(meetings))
    sanping_days = {days[len(days) // 2 - 1], days[-1]}
    plan = [(datetime.date(year - 1, 12, 20), Meeting.Kind.SANPING)] + [
        (day, Meeting.Kind.SANPING if day in sanping_days else rng.choice(
            [Meeting.Kind.GROUP_MEETING] * 4 + [Meeting.Kind.THEME_DAY, Meeting.Kind.DEMOCRATIC_LIFE]))
        for day in days
    ]
    sessions = []
    for number, (day, kind) in enumerate(plan):
        starts = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=zone)
        a, b, c = rng.sample(people, 3)
        title = f"{day.year}年{day.month}月" + ("党小组“三评”会" if kind == Meeting.Kind.SANPING else "党小组会")
        meeting = Meeting.objects.create(
            group=group, kind=kind, title=title, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
            place="三楼党员活动室", chair=leader, recorder=leader, state=Meeting.State.APPROVED, created_by=leader,
            minutes="" if kind == Meeting.Kind.SANPING else MINUTES.format(a=a.name, b=b.name, c=c.name),
            summary="" if kind == Meeting.Kind.SANPING else "大家发言积极，认识到位。下一步要把学习成果转化为工作成效。",
            approved_by=secretary, approved_at=starts + datetime.timedelta(days=3),
        )
        topics = [("开展“三评”", "criticism")] if kind == Meeting.Kind.SANPING else rng.sample(TOPICS, 2)
        AgendaItem.objects.bulk_create([
            AgendaItem(meeting=meeting, position=i, title=title_, category=category,
                       notes="" if kind == Meeting.Kind.SANPING else NOTES.format(name=rng.choice(people).name))
            for i, (title_, category) in enumerate(topics)
        ])
        on_leave = set(rng.sample(range(1, len(people)), 2))
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, member=p, status=Attendance.Status.LEAVE if i in on_leave else Attendance.Status.PRESENT,
                        leave_reason="出差" if i in on_leave else "") for i, p in enumerate(people)]
            + [Attendance(meeting=meeting, member=secretary, is_guest=True, status=Attendance.Status.PRESENT)]
        )
        if kind == Meeting.Kind.SANPING:
            present = [p for i, p in enumerate(people) if i not in on_leave]
            sessions.append(fill_session(meeting, people, present, rng, models=(
                SanpingSession, SelfEvaluation, SelfEvaluationVersion, SpeakingSlot, MutualEvaluation, LeaderComment,
                RectificationItem), texts=(DEFAULT_PURPOSE, DEFAULT_METHOD, DEFAULT_REQUIREMENTS), number=number))
    reports = []
    for person in people:
        for month in range(1, 13, 2):
            submitted = datetime.datetime(year, month, rng.randrange(1, 28), 10, tzinfo=zone)
            reports.append(ThoughtReport(member=person, title=f"{year}年{month}月思想汇报", content="近期学习体会……",
                                         state=ThoughtReport.State.SUBMITTED, submitted_at=submitted))
    ThoughtReport.objects.bulk_create(reports)
    print(f"group: {len(people)} members, {len(plan)} approved meetings ({len(sessions)} 三评 sessions), "
          f"{len(reports)} thought reports (database: {connection.vendor})")
    return group, secretary, sessions[-1], year


def fill_session(meeting, people, present, rng, *, models, texts, number):
    from django.utils import translation

    SanpingSession, SelfEvaluation, SelfEvaluationVersion, SpeakingSlot, MutualEvaluation, LeaderComment, RectificationItem = models
    with translation.override("zh-hans"):
        session = SanpingSession.objects.create(
            meeting=meeting, stage=SanpingSession.Stage.RECTIFICATION, purpose=str(texts[0]), method=str(texts[1]),
            requirements=str(texts[2]), opened_at=meeting.starts_at,
            achievements="大家会前准备认真，对照党章党规查摆问题具体，自我剖析比较深刻，相互批评开诚布公。",
            shortcomings="个别同志查摆问题避重就轻，批评他人时顾虑较多，整改措施还不够具体。",
            next_steps="每位同志对照整改措施逐条落实，明确时限；下次党小组会通报整改落实情况，党小组长跟踪验收。",
        )
    for person in people:
        evaluation = SelfEvaluation.objects.create(
            session=session, member=person, problems=rng.choice(PROBLEMS), causes=rng.choice(CAUSES),
            direction=rng.choice(DIRECTIONS), state=SelfEvaluation.State.SUBMITTED)
        version = SelfEvaluationVersion.objects.create(
            evaluation=evaluation, number=1, problems=evaluation.problems, causes=evaluation.causes,
            direction=evaluation.direction, submitted_at=meeting.starts_at - datetime.timedelta(days=2))
        evaluation.presented = version
        evaluation.save(update_fields=["presented"])
    mutuals, comments, slots, items = [], [], [], []
    for position, person in enumerate(present, start=1):
        slots.append(SpeakingSlot(session=session, member=person, position=position,
                                  spoke_at=meeting.starts_at + datetime.timedelta(minutes=4 * position),
                                  notes=f"{person.name}对照党章党规查摆了问题，剖析了原因，明确了整改方向。"))
        for evaluator in rng.sample([p for p in present if p != person], k=2):
            mutuals.append(MutualEvaluation(session=session, evaluator=evaluator, evaluatee=person,
                                            problems=rng.choice(MUTUALS), suggestions=rng.choice(SUGGESTIONS),
                                            created_at=meeting.starts_at + datetime.timedelta(minutes=4 * position + 2)))
        comments.append(LeaderComment(session=session, member=person, text=rng.choice(COMMENTS)))
        items.append(RectificationItem(session=session, member=person, problem=rng.choice(PROBLEMS), measure=rng.choice(MEASURES),
                                       deadline=meeting.starts_at.date() + datetime.timedelta(days=60),
                                       state=rng.choice(list(RectificationItem.State.values))))
    SpeakingSlot.objects.bulk_create(slots)
    MutualEvaluation.objects.bulk_create(mutuals)
    LeaderComment.objects.bulk_create(comments)
    RectificationItem.objects.bulk_create(items)
    return session


def pdf_pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def vm_mb(field: str = "VmRSS") -> float:
    """Resident memory (VmRSS) or its peak so far (VmHWM) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_sanping(session, runs: int, out: Path | None) -> None:
    from meetings.pdf import html_to_pdf
    from sanping.pdf import render_sanping_html

    html_to_pdf(render_sanping_html(session))  # warm-up: fonts loaded, templates compiled
    with CaptureQueriesContext(connection) as queries:
        render_sanping_html(session)
    ours, theirs, totals, cpu = [], [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        html = render_sanping_html(session)
        middle = time.perf_counter()
        data = html_to_pdf(html)
        ended = time.perf_counter()
        ours.append(middle - started)
        theirs.append(ended - middle)
        totals.append(ended - started)
        cpu.append(time.process_time() - started_cpu)
    circulation = html_to_pdf(render_sanping_html(session, full=False))
    if out:
        (out / "sanping-full.pdf").write_bytes(data)
        (out / "sanping-circulation.pdf").write_bytes(circulation)
    median = statistics.median(totals)
    print(
        f"三评 record (full): {pdf_pages(data)} pages, {len(data) // 1024} KB, {len(html) // 1024} KB of HTML, "
        f"{len(queries)} SQL queries; median of {runs}: {median:.2f} s = ours {statistics.median(ours):.3f} s "
        f"+ WeasyPrint {statistics.median(theirs):.2f} s (max {max(totals):.2f} s; CPU median {statistics.median(cpu):.2f} s)"
    )
    print(f"  circulation edition: {pdf_pages(circulation)} pages, {len(circulation) // 1024} KB")
    print(f"  target < {SANPING_SECONDS} s and < {SANPING_KB} KB: "
          f"{'met' if median < SANPING_SECONDS and len(data) < SANPING_KB * 1024 else 'NOT met'}")


def bench_ledger(group, secretary, year: int, out: Path | None) -> None:
    from meetings import ledger
    from meetings.models import LedgerBuild

    seen = []
    started, started_cpu = time.perf_counter(), time.process_time()
    build, created = ledger.ledger_request(group=group, year=year, by=secretary, enqueue=False)
    ledger.ledger_build(build_id=build.pk, on_progress=seen.append)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    build = LedgerBuild.objects.get(pk=build.pk)
    with build.file.open("rb") as handle:
        data = handle.read()
    if out:
        (out / "ledger.pdf").write_bytes(data)
    print(f"yearly ledger: {build.pages} pages, {len(data) // 1024} KB, {elapsed:.2f} s (CPU {cpu:.2f} s) "
          f"(progress reported {len(seen)} times: {', '.join(str(p) for p in seen[:12])}{' …' if len(seen) > 12 else ''})")
    print(f"  target < {LEDGER_SECONDS} s and < {LEDGER_MB} MB: "
          f"{'met' if elapsed < LEDGER_SECONDS and len(data) < LEDGER_MB * 1024 * 1024 else 'NOT met'}")


def bench_memory(group, records: int) -> None:
    from meetings.models import Meeting
    from meetings.pdf import render_meeting_pdf
    from sanping.models import SanpingSession
    from sanping.pdf import render_sanping_pdf

    meetings = list(Meeting.objects.filter(group=group).exclude(kind=Meeting.Kind.SANPING))
    sessions = list(SanpingSession.objects.filter(meeting__group=group))

    def render(i: int) -> int:
        if i % 4 == 3:
            return len(render_sanping_pdf(sessions[i % len(sessions)], full=i % 8 == 3))
        return len(render_meeting_pdf(meetings[i % len(meetings)]))

    for i in range(8):  # warm-up: fonts, templates, WeasyPrint's caches
        render(i)
    gc.collect()
    before = vm_mb()
    started = time.perf_counter()
    for i in range(records):
        render(i)
    gc.collect()
    after = vm_mb()
    print(f"{records} records rendered in one process in {time.perf_counter() - started:.0f} s: "
          f"VmRSS {before:.0f} MB after warm-up, {after:.0f} MB after, growth {after - before:.1f} MB, peak {vm_mb('VmHWM'):.0f} MB "
          f"(target < {GROWTH_MB} MB: {'met' if after - before < GROWTH_MB else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--meetings", type=int, default=24)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        group, secretary, session, year = build(args.members, args.meetings)
        bench_sanping(session, args.runs, args.out)
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            bench_ledger(group, secretary, year, args.out)
        if args.records:
            bench_memory(group, args.records)
        print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
