"""Who the load test signs in as, and the pages they open, read from the large dataset.

    DATABASE_URL=... .venv/bin/python bench/load/targets.py > bench/load/out/targets.json

Run with the application's virtual environment (bench/load/run.sh does). Prints JSON:
members (a draft self-evaluation in their group's upcoming 三评, and their group's
latest meeting), leaders (their upcoming 三评's console), secretaries (a record to
review, an approved record and a held 三评 to export). Each persona is distinct, so
that no two simulated people write the same evaluation.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Max  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from meetings.models import Meeting  # noqa: E402
from members.models import Member  # noqa: E402
from sanping import demo_large  # noqa: E402
from sanping.models import SanpingSession, SelfEvaluation  # noqa: E402

SCALE = demo_large.LARGE
MEMBERS, LEADERS = 400, 100


def main() -> None:
    if not Member.objects.filter(user__username=demo_large.secretary_username(SCALE.branches)).exists():
        sys.exit("The large dataset is not there: run manage.py seed_demo --scale large first.")
    # Member i: branch i % 20, member number 3..7, a new group every 100: all distinct.
    member_names = [
        demo_large.username(i % SCALE.branches + 1, i // 100 % SCALE.groups + 1, 3 + i // SCALE.branches % 5)
        for i in range(MEMBERS)
    ]
    leader_names = [
        demo_large.leader_username(i % SCALE.branches + 1, SCALE.groups // 2 + i // SCALE.branches % (SCALE.groups // 2))
        for i in range(LEADERS)
    ]
    secretary_names = [demo_large.secretary_username(b) for b in range(1, SCALE.branches + 1)]
    people = {m.user.username: m for m in Member.objects.select_related("user").filter(
        user__username__in=member_names + leader_names + secretary_names)}
    groups = {people[name].group_id for name in member_names + leader_names}
    upcoming = dict(SanpingSession.objects.filter(meeting__group__in=groups, stage=SanpingSession.Stage.PREPARATION)
                    .values_list("meeting__group_id", "pk"))
    latest = dict(Meeting.objects.filter(group__in=groups, state__in=Meeting.TOOK_PLACE).values("group_id")
                  .annotate(last=Max("starts_at")).values_list("group_id", "last"))
    latest_meeting = {m.group_id: m.pk for m in Meeting.objects.filter(group__in=groups, state__in=Meeting.TOOK_PLACE,
                                                                         starts_at__in=latest.values())
                      if latest.get(m.group_id) == m.starts_at}
    drafts = set(SelfEvaluation.objects.filter(session__in=upcoming.values(), state=SelfEvaluation.State.DRAFT)
                 .values_list("member_id", flat=True))
    members = [
        {"username": name, "session": upcoming[people[name].group_id], "meeting": latest_meeting[people[name].group_id]}
        for name in member_names if people[name].pk in drafts
    ]
    leaders = [
        {"username": name, "session": upcoming[people[name].group_id], "meeting": latest_meeting[people[name].group_id]}
        for name in leader_names
    ]
    secretaries = []
    for name in secretary_names:
        branch = people[name].branch_id
        in_branch = Meeting.objects.filter(group__branch_id=branch)
        held = SanpingSession.objects.filter(meeting__group__branch_id=branch, meeting__state=Meeting.State.APPROVED) \
            .order_by("-meeting__starts_at").values_list("pk", flat=True).first()
        secretaries.append({
            "username": name,
            "review": in_branch.filter(state=Meeting.State.SUBMITTED).order_by("starts_at").values_list("pk", flat=True)[0],
            "approved": in_branch.filter(state=Meeting.State.APPROVED).order_by("-starts_at")
            .values_list("pk", flat=True)[0],
            "sanping": held,
        })
    try:
        sanping_pdf = reverse("sanping:record_pdf", args=[1]).replace("/1/", "/{}/")
    except NoReverseMatch:
        sanping_pdf = None  # not in this version of the app: the PDF user exports meeting records only
    json.dump({
        "password": "sanping2026",
        "meeting_pdf": reverse("meetings:pdf", args=[1]).replace("/1/", "/{}/"),
        "sanping_pdf": sanping_pdf,
        "members": members,
        "leaders": leaders,
        "secretaries": secretaries,
    }, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
