"""Every URL of the project, requested by every persona with every method it accepts.

The table is tests/url_matrix.py (one row per URL and method, one cell per persona).
A URL added to the project without a row fails `test_every_url_has_a_row`.
Each request runs inside a savepoint that is rolled back afterwards, so that one
persona's POST (a cancel, a deactivation) never changes what the next persona meets.
"""

import os

import pytest
from django.db import transaction
from django.urls import reverse

from meetings.models import Meeting
from members import services as member_services
from tests.factories import MemberFactory, PartyGroupFactory

from .url_matrix import PERSONAS, ROWS, build_world, url_names

SIGN_IN = reverse("login")


def persona_users(personas) -> dict:
    return {"anon": None, **personas}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(branch, group, leader, member, secretary, personas, media_root):
    return build_world(branch=branch, group=group, leader=leader, member=member, secretary_user=secretary.user)


@pytest.fixture
def foreign_world(outsider, media_root):
    """The same objects in the outsider's branch, led by a leader of its own."""
    group = outsider.group
    leader = MemberFactory(group=group, name="外支部组长")
    group.leader = leader
    group.save()
    secretary = MemberFactory(group=PartyGroupFactory(branch=group.branch), name="外支部书记", branch_role="secretary")
    return build_world(branch=group.branch, group=group, leader=leader, member=outsider, secretary_user=secretary.user)


def fetch(client, user, row, url, world=None, *, htmx=False, data=None):
    """One request as `user` (None: signed out), its writes rolled back afterwards."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with transaction.atomic():
        client.logout()
        if user is not None:
            client.force_login(user)
        if row.method == "GET":
            response = client.get(url, **headers)
        else:
            response = client.post(url, data if data is not None else row.post_data(world), **headers)
        transaction.set_rollback(True)
    return response


def observed_cell(persona: str, response) -> str:
    if persona == "anon" and response.status_code == 302 and response["Location"].startswith(SIGN_IN):
        return "L"
    return str(response.status_code)


def test_every_url_has_a_row():
    covered = {row.name for row in ROWS}
    missing = sorted(set(url_names()) - covered)
    assert not missing, (
        "URLs without a row in the authorization matrix (tests/url_matrix.py ROWS): " + ", ".join(missing)
    )
    stale = sorted(covered - set(url_names()))
    assert not stale, "Rows of the authorization matrix for URLs that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_each_persona_gets_the_answer_the_table_gives(client, personas, world, row):
    users = persona_users(personas)
    url = row.url(world)
    wrong = []
    for persona in PERSONAS:
        response = fetch(client, users[persona], row, url, world)
        cell = row.cells[PERSONAS.index(persona)]
        got = observed_cell(persona, response)
        if cell == "L":
            ok = got == "L"
        else:
            ok = response.status_code in row.expect(persona)
        if not ok:
            wrong.append(f"{persona}: expected {cell}, got {got}")
        if os.environ.get("MATRIX_RECORD"):
            print(f"RECORD {row.id} {persona} {got}")
    assert not wrong, f"{row.method} {url} ({row.name}): " + "; ".join(wrong)


# Django's own password views: no htmx on them, a plain redirect to the sign-in page.
PLAIN_SIGN_IN = ("password_change", "password_change_done")


@pytest.mark.parametrize(
    "row", [row for row in ROWS if row.cells[0] == "L" and row.name not in PLAIN_SIGN_IN], ids=lambda row: row.id
)
def test_a_signed_out_htmx_request_gets_401_so_that_the_page_keeps_what_was_typed(client, world, row):
    response = fetch(client, None, row, row.url(world), world, htmx=True)
    assert response.status_code == 401, f"{row.method} {row.name}: {response.status_code}"


# Rows whose objects belong to a branch; ics_feed is found by its secret token alone.
BRANCH_ROWS = [row for row in ROWS if row.args and row.name != "meetings:ics_feed"]


@pytest.mark.parametrize("persona", ["member", "leader", "secretary", "committee"])
def test_nobody_of_a_branch_learns_anything_of_another_branchs_objects(client, personas, world, foreign_world, persona):
    """Even the secretary and committee answer 404 for the objects of another branch,
    whatever the method, exactly as for an object that does not exist."""
    user = personas[persona]
    wrong = []
    for row in BRANCH_ROWS:
        url = row.url(foreign_world)
        response = fetch(client, user, row, url, foreign_world)
        if response.status_code != 404:
            wrong.append(f"{row.method} {url} ({row.name}): {response.status_code}")
    assert not wrong, f"{persona} reached another branch's objects: " + "; ".join(wrong)


# Revoking a role takes effect on the very next request -----------------------------------


def test_a_replaced_leader_loses_the_console_on_the_next_request(client, world, leader, secretary):
    session, third = world.objects["session"], world.objects["third"]
    console = reverse("sanping:console", args=[session.pk])
    edit = reverse("meetings:edit", args=[world.pk("meeting")])
    client.force_login(leader.user)
    assert client.get(console).status_code == 200
    assert client.get(edit).status_code == 200

    member_services.group_leader_appoint(group=leader.group, leader=third, by=secretary.user)

    # Still a participant of the session, no longer the one who runs it (nor the chair).
    assert client.get(console).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.get(reverse("meetings:create")).status_code == 403
    client.force_login(third.user)
    assert client.get(console).status_code == 200
    assert client.get(edit).status_code == 200


def test_the_new_leader_takes_the_chair_of_meetings_not_yet_over_only(world, leader, secretary):
    third = world.objects["third"]
    submitted = world.objects["submitted_meeting"]
    Meeting.objects.filter(pk=submitted.pk).update(state=Meeting.State.APPROVED)

    member_services.group_leader_appoint(group=leader.group, leader=third, by=secretary.user)

    meetings = Meeting.objects.filter(group=leader.group)
    not_over = (Meeting.State.DRAFT, Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS)
    took_place = {pk: chair for pk, chair, state in meetings.values_list("pk", "chair_id", "state")
                  if state not in not_over}
    to_come = {pk: chair for pk, chair, state in meetings.values_list("pk", "chair_id", "state")
               if state in not_over}
    # The record of a meeting that is over keeps who chaired it, approved or not.
    assert submitted.pk in took_place and world.pk("held_meeting") in took_place
    assert set(took_place.values()) == {leader.pk}
    assert to_come and set(to_come.values()) == {third.pk}
    handed_over = Meeting.history.filter(id=world.pk("meeting")).latest("history_date")
    assert handed_over.chair_id == third.pk and handed_over.history_user == secretary.user


def test_a_deactivated_member_is_signed_out_at_the_next_request(client, world, member, secretary):
    client.force_login(member.user)
    page = reverse("sanping:session", args=[world.pk("session")])
    assert client.get(page).status_code == 200

    member_services.member_deactivate(member=member, by=secretary.user)

    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    assert client.get(page, HTTP_HX_REQUEST="true").status_code == 401
    assert client.get(reverse("home")).status_code == 302


# A record that moved on since the page was loaded: a message, not the 403 page -------------


def test_a_second_reviewer_approving_an_approved_record_is_told_it_moved_on(client, world, secretary, committee):
    meeting = world.objects["submitted_meeting"]
    approve = reverse("meetings:approve", args=[meeting.pk])
    client.force_login(secretary.user)
    assert client.post(approve, {"comment": ""}, follow=True).status_code == 200
    client.force_login(committee.user)
    response = client.post(approve, {"comment": "同意"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[meeting.pk])
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.APPROVED and meeting.approved_by == secretary


def test_a_double_click_on_publish_is_told_it_moved_on(client, world, leader):
    publish = reverse("meetings:publish", args=[world.pk("draft_meeting")])
    client.force_login(leader.user)
    client.post(publish, follow=True)
    response = client.post(publish, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_without_the_role_a_refusal_stays_a_403(client, world, leader, member):
    client.force_login(leader.user)  # a leader does not review
    assert client.post(reverse("meetings:approve", args=[world.pk("submitted_meeting")])).status_code == 403
    client.force_login(member.user)
    assert client.post(reverse("meetings:cancel", args=[world.pk("meeting")]), {"reason": "x"}).status_code == 403


def test_a_topic_chosen_on_a_console_left_open_after_the_meeting_closed_is_told_it_moved_on(client, world, leader):
    held = world.objects["held_meeting"]
    client.force_login(leader.user)
    response = client.post(reverse("meetings:current_item", args=[held.pk]), {"item": world.pk("held_item")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[held.pk])
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
