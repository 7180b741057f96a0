"""The meeting-room projector: read-only, for anyone who may see the session, and the
state it polls every 2 seconds (stage, speaking order, current speaker, clock)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sanping import services
from sanping.models import SanpingSession

Stage = SanpingSession.Stage

# Who opens the projector of a session of the member's group.
SEES_PROJECTOR = {
    "member": 200, "leader": 200, "secretary": 200, "committee": 200,
    "other_member": 404, "other_leader": 404, "outsider": 404, "staff": 404,
}


def projector(session):
    return reverse("sanping:projector", args=[session.pk])


def state(session):
    return reverse("sanping:projector_state", args=[session.pk])


@pytest.mark.parametrize("persona,status", SEES_PROJECTOR.items())
def test_the_projector_is_for_those_who_may_see_the_session(client, personas, third, evaluating_session, persona, status):
    client.force_login(personas[persona])
    assert client.get(projector(evaluating_session)).status_code == status
    assert client.get(state(evaluating_session)).status_code == status


def test_signed_out_the_projector_asks_to_sign_in(client, evaluating_session):
    response = client.get(projector(evaluating_session))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_projector_shows_the_stage_the_order_and_the_speaker(client, evaluating_session, member):
    client.force_login(member.user)
    text = client.get(projector(evaluating_session)).content.decode()
    assert 'data-testid="projector-stage">自评互评' in text
    assert 'data-testid="projector-speaker">李组长' in text
    order = text[text.index('data-testid="projector-order"'):text.index("</ol>", text.index('data-testid="projector-order"'))]
    assert order.index("李组长") < order.index("张党员") < order.index("赵第三")
    assert "<form" not in text  # read-only


def test_the_projector_has_no_inline_script_and_nothing_from_outside(client, evaluating_session, leader):
    client.force_login(leader.user)
    text = client.get(projector(evaluating_session)).content.decode()
    scripts = re.findall(r"<script[^>]*>", text)
    assert scripts and all("src=" in tag for tag in scripts)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "fonts.googleapis" not in text and "@import" not in text


def test_the_state_carries_what_the_clock_needs(client, evaluating_session, leader):
    client.force_login(leader.user)
    data = client.get(state(evaluating_session)).json()
    assert data["stage"] == Stage.EVALUATION and data["stage_label"] == "自评互评"
    assert [row["name"] for row in data["order"]] == ["李组长", "张党员", "赵第三"]
    assert data["current"] == evaluating_session.current_slot_id and data["order"][0]["spoke"]
    assert data["clock_started_at"] is None and data["clock_seconds"] == 0 and data["clock_visible"]

    services.clock_set(session=evaluating_session, by=leader, action="start")
    started = timezone.now() - datetime.timedelta(seconds=75)
    SanpingSession.objects.filter(pk=evaluating_session.pk).update(clock_started_at=started, clock_seconds=10)
    data = client.get(state(evaluating_session)).json()
    assert data["clock_seconds"] == 10 and data["clock_started_ms"] == int(started.timestamp() * 1000)
    assert abs(data["server_now_ms"] - timezone.now().timestamp() * 1000) < 5000
    assert data["clock_text"] == "01:25"


def test_the_next_speaker_restarts_the_clock(client, evaluating_session, leader, member):
    services.clock_set(session=evaluating_session, by=leader, action="start")
    services.speaker_set(session=evaluating_session, by=leader, slot=evaluating_session.slots.get(member=member))
    client.force_login(leader.user)
    data = client.get(state(evaluating_session)).json()
    assert data["current"] == evaluating_session.slots.get(member=member).pk
    assert data["clock_started_at"] is None and data["clock_text"] == "00:00"


def test_before_the_opening_the_projector_has_no_order_yet(client, session, member):
    client.force_login(member.user)
    text = client.get(projector(session)).content.decode()
    assert "发言顺序在开场时确定" in text and 'data-testid="projector-stage">会前准备' in text
    assert client.get(state(session)).json()["order"] == []


def test_during_the_opening_the_projector_shows_the_order_being_arranged(client, opened_session, leader, member, third):
    client.force_login(member.user)
    assert [row["name"] for row in client.get(state(opened_session)).json()["order"]] == ["张党员", "李组长", "赵第三"]
    services.speaking_order_set(session=opened_session, by=leader, member_ids=[third.pk, leader.pk, member.pk])
    assert [row["name"] for row in client.get(state(opened_session)).json()["order"]] == ["赵第三", "李组长", "张党员"]
