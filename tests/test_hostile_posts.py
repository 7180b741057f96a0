"""Every URL of the meetings and 三评 apps, posted (and fetched) with junk by the people
who may use it: a clear answer, never a 500."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from sanping import services as sanping_services
from tests.sanping.conftest import evaluating_session, make_today, opened_session, sanping_meeting, session, third  # noqa: F401

JUNK = {
    "item": "abc", "status": "zzz", "version": "not-a-number", "member": "-1", "evaluator": "x", "evaluatee": "9999999",
    "slot": "'; DROP TABLE x;--", "order": ["a", "b"], "notes": "\x00<script>alert(1)</script>", "minutes": "字" * 50_001,
    "summary": "", "comment": "<b>" * 10, "reason": "", "text": "\u202e", "problem": "", "measure": "", "deadline": "2026-02-30",
    "done_on": "yesterday", "title": "", "kind": "nope", "date": "0000-00-00", "start_time": "25:99", "end_time": "x",
    "action": "explode", "achievements": None, "next": "https://evil.example/", "evidence": "x" * 30_000,
}


def patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


@pytest.fixture
def objects(evaluating_session, leader, member):
    session = evaluating_session
    meeting = session.meeting
    item = sanping_services.rectification_add  # noqa: F841 (stage check below)
    return {
        "pk": meeting.pk, "item_pk": meeting.agenda_items.first().pk, "member_pk": member.pk,
        "attendance_pk": meeting.attendances.first().pk, "slot_pk": session.slots.first().pk,
        "session_pk": session.pk,
    }


def kwargs_for(name: str, pattern: URLPattern, objects: dict) -> dict | None:
    wanted = list(pattern.pattern.converters)
    values = {}
    for key in wanted:
        if key == "pk" and name.startswith("sanping:") and name not in ("sanping:item", "sanping:item_progress",
                                                                          "sanping:item_done", "sanping:item_verify",
                                                                          "sanping:item_send_back"):
            values[key] = objects["session_pk"]
        elif key == "pk" and name.startswith("sanping:item"):
            values[key] = 1
        elif key == "token":
            values[key] = "nope"
        elif key in objects:
            values[key] = objects[key]
        else:
            return None
    return values


@pytest.mark.parametrize("persona", ["leader", "member", "secretary"])
def test_junk_never_makes_a_500(client, personas, persona, objects):
    client.force_login(personas[persona])
    checked = 0
    for name, pattern in patterns():
        if not name.split(":")[0] in ("meetings", "sanping"):
            continue
        kwargs = kwargs_for(name, pattern, objects)
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        for response in (client.post(url, {k: v for k, v in JUNK.items() if v is not None}),
                         client.post(url, JUNK | {"achievements": ""}, HTTP_HX_REQUEST="true"),
                         client.get(url, {"month": "2026-13", "page": "-1", "group": "x", "part": "zzz", "member": "x"})):
            assert response.status_code < 500, (name, response.status_code)
        checked += 1
    assert checked > 40
