"""Do the pages cost the same number of SQL queries on the large dataset as on the small demo?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanping_scale \\
        .venv/bin/python bench/query_budgets_large.py [--branch 5] [--group 42] [--runs 5]

Runs against the database of DATABASE_URL as it is (not a test database): it must hold
both `manage.py seed_demo` (the small demo branch) and `seed_demo --scale large`. Signs in
(force_login: no password hashing) as the same roles in both — a member, their group's
leader, the branch secretary — fetches each main page with Django's test client, once
to warm up and then under CaptureQueriesContext, and prints a table: the queries on
the small demo, on the large dataset, and the budget the tests hold where they state one.
It also prints the median in-process render time on the large dataset.

Side effects on that database: sign-in session rows, and one autosave of the persona
member's draft self-evaluation in each dataset (the version goes up by one).
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings_test")
os.environ.setdefault("DEBUG", "0")  # as in production: no debug templates
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from meetings.models import Meeting  # noqa: E402
from members import demo as small_demo  # noqa: E402
from members.models import Member  # noqa: E402
from sanping import demo_large  # noqa: E402
from sanping.models import SanpingSession, SelfEvaluation  # noqa: E402

# Budgets the test suite states as numbers (the other pages' tests assert "the same for
# few and many" without a number).
BUDGETS = {
    "cadence dashboard": "≤ 14 (tests/meetings/test_cadence_views.py)",
    "directory": "≤ 12 (tests/members/test_directory.py)",
    "三评 session page": "13 (tests/sanping/test_member_views.py)",
}


def personas_small() -> dict[str, Member]:
    by_username = {m.user.username: m for m in Member.objects.select_related("user", "group").filter(
        user__username__in=["liuyang", "lixiuying", "wangjianguo"])}
    return {"member": by_username["liuyang"], "leader": by_username["lixiuying"], "secretary": by_username["wangjianguo"]}


def personas_large(branch_no: int, group_no: int) -> dict[str, Member]:
    names = {
        "member": demo_large.username(branch_no, group_no, 3),
        "leader": demo_large.leader_username(branch_no, group_no),
        "secretary": demo_large.secretary_username(branch_no),
    }
    found = {m.user.username: m for m in Member.objects.select_related("user", "group").filter(
        user__username__in=names.values())}
    return {role: found[name] for role, name in names.items()}


def pages(people: dict[str, Member]) -> list[tuple[str, str, str, str]]:
    """(label, role, method, url) of the main pages, for these people (adds "held leader")."""
    member, group = people["member"], people["member"].group
    took_place = Meeting.objects.filter(group=group, state__in=Meeting.TOOK_PLACE)
    meeting = took_place.order_by("-starts_at").first()
    upcoming = SanpingSession.objects.filter(meeting__group=group, stage=SanpingSession.Stage.PREPARATION).first()
    # The latest held 三评 of the member's group; in the small demo another group of the
    # branch holds them, and its leader ("leader of a held 三评") opens its console.
    held_sessions = SanpingSession.objects.filter(stage__gte=SanpingSession.Stage.SUMMARY).order_by("-meeting__starts_at")
    held = held_sessions.filter(meeting__group=group).first() or \
        held_sessions.filter(meeting__group__branch_id=member.branch_id).select_related("meeting__group__leader").first()
    if held is not None:
        people["held leader"] = held.meeting.group.leader
    rows = [
        ("home", "member", "GET", "/"),
        ("meeting page", "member", "GET", f"/meetings/{meeting.pk}/"),
        ("meeting list", "member", "GET", "/meetings/"),
        ("thought reports", "member", "GET", "/thought-reports/"),
        ("notifications", "member", "GET", "/notifications/"),
        ("rectification items", "member", "GET", "/rectification/"),
        ("home", "leader", "GET", "/"),
        ("thought reports", "leader", "GET", "/thought-reports/"),
        ("meeting page", "leader", "GET", f"/meetings/{meeting.pk}/"),
        ("home", "secretary", "GET", "/"),
        ("cadence dashboard", "secretary", "GET", "/cadence/"),
        ("review queue", "secretary", "GET", "/review/"),
        ("thought reports", "secretary", "GET", "/thought-reports/"),
        ("directory", "secretary", "GET", "/members/"),
        ("三评 overview", "secretary", "GET", "/sanping/"),
        ("meeting page", "secretary", "GET", f"/meetings/{meeting.pk}/"),
    ]
    if upcoming is not None:
        rows += [
            ("三评 session page", "member", "GET", f"/sanping/{upcoming.pk}/"),
            ("三评 autosave (POST)", "member", "AUTOSAVE", f"/sanping/{upcoming.pk}/self-evaluation/"),
            ("三评 live poll", "member", "POLL", f"/sanping/{upcoming.pk}/live/"),
            ("三评 console (preparation)", "leader", "GET", f"/sanping/{upcoming.pk}/console/"),
        ]
    if held is not None:
        rows += [
            ("三评 console (rectification)", "held leader", "GET", f"/sanping/{held.pk}/console/"),
            ("三评 record", "secretary", "GET", f"/sanping/{held.pk}/record/"),
        ]
    return rows


def fetch(client: Client, method: str, url: str, member: Member):
    if method == "AUTOSAVE":
        evaluation = SelfEvaluation.objects.get(session_id=int(url.split("/")[2]), member=member)
        return client.post(url, {"problems": evaluation.problems + "。", "causes": evaluation.causes,
                                 "direction": evaluation.direction, "version": evaluation.version},
                           HTTP_HX_REQUEST="true")
    if method == "POLL":
        return client.get(url, HTTP_HX_REQUEST="true", HTTP_X_POLL="1")
    return client.get(url)


def _table(sql: str) -> str:
    """What a query is about, to tell two pages' queries apart: its verb and first table."""
    words = sql.replace('"', " ").split()
    verb = words[0] if words else ""
    for keyword in ("FROM", "UPDATE", "INTO"):
        if keyword in words[1:]:
            return f"{verb} {words[words.index(keyword, 1) + 1]}"
    return verb


def measure(people: dict[str, Member], runs: int) -> dict[tuple[str, str], tuple[int, float, list[str]]]:
    """(label, role) -> (queries, median ms, what each query reads)"""
    clients = {}
    results = {}
    for label, role, method, url in pages(people):
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(people[role].user)
            clients[role].get("/")  # the first request after sign-in also rotates the session
        client = clients[role]
        fetch(client, method, url, people[role])  # warm-up: content types, rules, the session
        reset_queries()  # the query log is a bounded deque: once full, a capture would count nothing
        with CaptureQueriesContext(connection) as captured:
            response = fetch(client, method, url, people[role])
        count = len(captured)  # now: a capture reads the connection's log when asked
        tables = [_table(query["sql"]) for query in captured.captured_queries]
        assert response.status_code in (200, 286), (label, role, url, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fetch(client, method, url, people[role])
            times.append((time.perf_counter() - started) * 1000)
        results[(label, role)] = (count, statistics.median(times) if times else 0.0, tables)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branch", type=int, default=5, help="large-dataset branch number of the personas")
    parser.add_argument("--group", type=int, default=42, help="their group number")
    parser.add_argument("--runs", type=int, default=5, help="timed renders per page on the large dataset")
    args = parser.parse_args()
    setup_test_environment()  # the test client's host and response.context

    if connection.vendor != "postgresql":
        print(f"note: the database is {connection.vendor}, not PostgreSQL")
    members = Member.objects.count()
    if not Member.objects.filter(user__username=demo_large.secretary_username(args.branch)).exists():
        sys.exit("The large dataset is not there: run manage.py seed_demo --scale large first.")
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}), {members:,} members, "
          f"{Meeting.objects.count():,} meetings")
    print(f"small demo personas: liuyang, lixiuying, wangjianguo ({small_demo.BRANCH_SHORT_NAME})")
    large_people = personas_large(args.branch, args.group)
    print("large personas: " + ", ".join(m.user.username for m in large_people.values()) + "\n")

    small = measure(personas_small(), runs=0)
    large = measure(large_people, runs=args.runs)
    print("| page | as | queries, small demo | queries, large dataset | budget in tests | large: median ms |")
    print("|---|---|---:|---:|---|---:|")
    grown = []
    for key, (count, ms, tables) in large.items():
        small_count, _ms, small_tables = small.get(key, (None, 0, []))
        if small_count is not None and count != small_count:
            extra = list(tables)
            for table in small_tables:
                if table in extra:
                    extra.remove(table)
            grown.append((key, count - small_count, extra))
        label, role = key
        print(f"| {label} | {role} | {small_count if small_count is not None else '–'} | {count} | "
              f"{BUDGETS.get(label, 'same for few and many')} | {ms:.0f} |")
    print()
    if not grown:
        print("Every page costs the same number of queries on the large dataset as on the small demo.")
        return
    # The small demo's personas have empty lists here and there (no notification, no
    # previous 三评), and an empty list skips the queries of its rows' details: such a
    # difference is "none against some", not growth with the data. Read them here.
    print("Pages whose count differs, and the queries only one of them made (a list that is empty for the small "
          "demo's persona skips the query of its rows' details):")
    for (label, role), difference, extra in grown:
        print(f"  {label} ({role}): {difference:+d} on the large dataset: {', '.join(extra) or '(same tables)'}")


if __name__ == "__main__":
    main()
