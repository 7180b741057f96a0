"""How long one reminder sweep takes, and how many queries, for a big organisation.

    .venv/bin/python bench/reminder_sweep.py [--sizes 200x2000,2000x20000] [--branches 20]

For each size (groups x members), builds in a throwaway test database (in-memory
SQLite, or test_<name> on the PostgreSQL of DATABASE_URL) that many groups and
members spread over `branches` branches, with half a year of meetings, thought
reports (one member in five missed the last period), meetings tomorrow with their
attendance, 三评 sessions in preparation, open rectification items and records
waiting for review. Then runs the sweep twice at the same moment: the first inserts
every reminder due (as on the day the reminders are switched on), the second finds
nothing new (as every hour after). Prints the seconds and SQL queries of each; the
target is under 10 s with a number of queries that does not grow with the size.

Emails are enqueued for real, to Celery's in-memory broker: the time of publishing
one task per email is in the figure, sending them is not (that is the workers' job).
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings_test")
os.environ.setdefault("DEBUG", "0")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402

TARGET_SECONDS = 10


def build(groups: int, members: int, branches: int, now: datetime.datetime) -> dict:
    from meetings import cadence
    from meetings.models import Attendance, Meeting, ThoughtReport
    from members.models import Branch, Member, PartyGroup
    from sanping.models import RectificationItem, SanpingSession, SelfEvaluation

    rng = random.Random(2026)
    User = get_user_model()
    today = cadence.local_date(now)
    branch_list = Branch.objects.bulk_create([Branch(name=f"基准党支部{b + 1}") for b in range(branches)])
    branch_list = list(Branch.objects.order_by("pk"))
    PartyGroup.objects.bulk_create(
        [PartyGroup(branch=branch_list[i % branches], name=f"第{i + 1}党小组", position=i) for i in range(groups)]
    )
    group_list = list(PartyGroup.objects.order_by("pk"))
    User.objects.bulk_create(
        [User(username=f"bench{i}", password="!", email=f"bench{i}@example.org") for i in range(members)], batch_size=2000
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    Member.objects.bulk_create(
        [
            Member(
                user=user, group=group_list[i % groups], branch_id=group_list[i % groups].branch_id, number=f"B{i:06d}",
                name=f"党员{i}",
                branch_role=Member.BranchRole.SECRETARY if i < branches else Member.BranchRole.NONE,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    people = list(Member.objects.order_by("pk").only("pk", "group_id", "branch_id"))
    by_group: dict[int, list] = {}
    for person in people:
        by_group.setdefault(person.group_id, []).append(person)
    for group in group_list:
        group.leader = by_group[group.pk][0]
    PartyGroup.objects.bulk_update(group_list, ["leader"], batch_size=2000)

    meetings = []
    for group in group_list:
        for months_back in range(7):
            if rng.random() < 0.2:
                continue
            first = (today.replace(day=1) - datetime.timedelta(days=31 * months_back)).replace(day=1)
            day = first + datetime.timedelta(days=rng.randrange(0, 27))
            if day >= today:
                continue
            starts = cadence.local_midnight(day) + datetime.timedelta(hours=14)
            meetings.append(
                Meeting(
                    group=group, kind=rng.choices(Meeting.Kind.values, weights=[6, 2, 1, 1])[0], title="会议",
                    starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), place="会议室",
                    chair=group.leader, created_by=group.leader, state=rng.choice([Meeting.State.APPROVED, Meeting.State.HELD]),
                )
            )
    tomorrow = cadence.local_midnight(today + datetime.timedelta(days=1)) + datetime.timedelta(hours=14)
    soon = cadence.local_midnight(today + datetime.timedelta(days=3)) + datetime.timedelta(hours=9)
    coming = [g for g in group_list if rng.random() < 0.1]
    sanping = [g for g in group_list if rng.random() < 0.05]
    for group in coming:
        meetings.append(Meeting(group=group, kind="group_meeting", title="明天的党小组会", starts_at=tomorrow,
                                ends_at=tomorrow + datetime.timedelta(hours=2), place="会议室", chair=group.leader,
                                created_by=group.leader, state=Meeting.State.SCHEDULED))
    for group in sanping:
        meetings.append(Meeting(group=group, kind="sanping", title="三评会", starts_at=soon,
                                ends_at=soon + datetime.timedelta(hours=2), place="会议室", chair=group.leader,
                                created_by=group.leader, state=Meeting.State.SCHEDULED))
    for group in rng.sample(group_list, max(1, groups // 20)):
        submitted = now - datetime.timedelta(days=rng.randrange(1, 6))
        meetings.append(Meeting(group=group, kind="group_meeting", title="待审核的会议", starts_at=submitted - datetime.timedelta(days=1),
                                ends_at=submitted, place="会议室", chair=group.leader, created_by=group.leader,
                                state=Meeting.State.SUBMITTED, submitted_at=submitted))
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    upcoming = {m.group_id: m for m in Meeting.objects.filter(state=Meeting.State.SCHEDULED)}
    attendances = []
    sessions = []
    for group_id, meeting in upcoming.items():
        attendances += [Attendance(meeting=meeting, member=p) for p in by_group[group_id]]
        if meeting.kind == "sanping":
            sessions.append(SanpingSession(meeting=meeting))
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    SanpingSession.objects.bulk_create(sessions)
    session_list = list(SanpingSession.objects.select_related("meeting"))
    SelfEvaluation.objects.bulk_create(
        [SelfEvaluation(session=s, member=p, state=rng.choice(["draft", "submitted"]))
         for s in session_list for p in by_group[s.meeting.group_id]],
        batch_size=2000,
    )
    # Rectification items of a 三评 held earlier in a few groups; their deadlines around today.
    past = []
    for group in rng.sample(group_list, max(1, groups // 10)):
        starts = now - datetime.timedelta(days=90)
        past.append(Meeting(group=group, kind="sanping", title="上次三评会", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
                            place="会议室", chair=group.leader, created_by=group.leader, state=Meeting.State.APPROVED))
    Meeting.objects.bulk_create(past)
    SanpingSession.objects.bulk_create([SanpingSession(meeting=m, stage=5) for m in Meeting.objects.filter(title="上次三评会")])
    items = []
    for session in SanpingSession.objects.filter(stage=5).select_related("meeting"):
        for person in by_group[session.meeting.group_id]:
            items.append(RectificationItem(session=session, member=person, problem="理论学习不够系统深入", measure="每周学习",
                                           deadline=today + datetime.timedelta(days=rng.randrange(-30, 30)),
                                           state=rng.choice(["open", "open", "done", "verified"])))
    RectificationItem.objects.bulk_create(items, batch_size=2000)

    reports = []
    for person in people:
        for months_back in (0, 2, 4):
            if rng.random() < 0.2:
                continue
            day = today - datetime.timedelta(days=30 * months_back + rng.randrange(0, 40))
            submitted = cadence.local_midnight(day) + datetime.timedelta(hours=10)
            reports.append(ThoughtReport(member=person, title="思想汇报", content="……", state="submitted", submitted_at=submitted))
    ThoughtReport.objects.bulk_create(reports, batch_size=2000)
    return {
        "branches": branches, "groups": groups, "members": len(people), "meetings": len(meetings) + len(past),
        "attendance": len(attendances), "self-evaluations": SelfEvaluation.objects.count(),
        "rectification items": len(items), "thought reports": len(reports),
    }


def measure(now) -> list[tuple[str, float, int, object]]:
    from meetings.reminders import sweep

    rows = []
    for label in ("first sweep (everything due is new)", "second sweep (nothing new)"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = sweep(now)
        rows.append((label, time.perf_counter() - started, len(queries), result))
    return rows


def run_one(size: str, branches: int) -> None:
    """Build one size in a fresh test database, sweep twice, print the figures."""
    from meetings import cadence
    from sanping.celery import app

    # Enqueue for real, to a broker in memory (the test settings would run tasks eagerly).
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    # A Wednesday in May: the March–April period has just ended.
    now = datetime.datetime(2026, 5, 6, 9, tzinfo=cadence.local_zone())
    groups, members = (int(part) for part in size.split("x"))
    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        counts = build(groups, members, branches, now)
        print(f"{connection.vendor}, sweep at {now:%Y-%m-%d %H:%M} Asia/Shanghai; built in "
              f"{time.perf_counter() - started:.1f} s: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        for label, seconds, queries, result in measure(now):
            print(f"  {label}: {seconds:.2f} s, {queries} queries; {result.summary()}")
            print(f"RESULT\t{size}\t{label}\t{seconds:.3f}\t{queries}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200x2000,2000x20000", help="groups x members, comma-separated")
    parser.add_argument("--branches", type=int, default=20)
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    if len(sizes) == 1:
        run_one(sizes[0], args.branches)
        return
    # One process per size: each gets a database of its own, and the figures do not
    # depend on what the previous size left in memory.
    import subprocess

    results = []
    for size in sizes:
        print(f"\n{size.replace('x', ' groups, ')} members")
        child = subprocess.run(
            [sys.executable, __file__, "--sizes", size, "--branches", str(args.branches)],
            capture_output=True, text=True, check=True,
        )
        for line in child.stdout.splitlines():
            if line.startswith("RESULT\t"):
                _tag, _size, label, seconds, queries = line.split("\t")
                results.append((label, float(seconds), int(queries)))
            else:
                print(line)
    worst = max(seconds for _label, seconds, _queries in results)
    by_label: dict[str, set[int]] = {}
    for label, _seconds, queries in results:
        by_label.setdefault(label, set()).add(queries)
    same = all(len(counts) == 1 for counts in by_label.values())
    print(f"\nslowest sweep {worst:.2f} s: target < {TARGET_SECONDS} s {'met' if worst < TARGET_SECONDS else 'NOT met'}")
    print(f"queries the same at every size: {'yes' if same else 'NO'} ({', '.join(f'{l}: {sorted(c)}' for l, c in by_label.items())})")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
