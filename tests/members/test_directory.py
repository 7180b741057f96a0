import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member
from tests.factories import MemberFactory


@pytest.fixture
def directory_page(client):
    def fetch(user, **params):
        client.force_login(user)
        response = client.get(reverse("directory"), params)
        assert response.status_code == 200
        return response

    return fetch


def names(response) -> list[str]:
    return [m.name for m in response.context["page"].object_list]


def test_directory_lists_the_branch_and_nothing_else(directory_page, member, other_member, secretary, outsider):
    listed = names(directory_page(secretary.user))
    assert {member.name, other_member.name, secretary.name} <= set(listed)
    assert outsider.name not in listed


def test_another_branch_sees_only_its_own_directory(directory_page, member, outsider):
    assert names(directory_page(outsider.user)) == [outsider.name]


def test_filter_by_group(directory_page, secretary, member, leader, other_member, group):
    listed = names(directory_page(secretary.user, group=group.pk))
    assert sorted(listed) == sorted([member.name, leader.name])


def test_filter_by_status(directory_page, secretary, member, group):
    probationer = MemberFactory(group=group, name="预备党员甲", status=Member.Status.PROBATIONARY)
    assert names(directory_page(secretary.user, status="probationary")) == [probationer.name]


def test_filter_by_department(directory_page, secretary, member, other_member):
    listed = names(directory_page(secretary.user, department="人事处"))
    assert other_member.name in listed and member.name not in listed


def test_search_by_name_part(directory_page, secretary, member, other_member):
    assert names(directory_page(secretary.user, q="党员")) == [member.name]


def test_a_group_of_another_branch_is_not_a_valid_filter(directory_page, secretary, outsider, member):
    response = directory_page(secretary.user, group=outsider.group_id)
    assert response.context["filter"].errors
    assert outsider.name not in names(response)


def test_deactivated_members_leave_the_directory(directory_page, secretary, member):
    member.user.is_active = False
    member.user.save()
    assert member.name not in names(directory_page(secretary.user))


def test_directory_is_paginated_at_twenty(directory_page, secretary, group):
    MemberFactory.create_batch(25, group=group)
    first = directory_page(secretary.user)
    assert len(first.context["page"].object_list) == 20
    second = directory_page(secretary.user, page=2)
    assert len(second.context["page"].object_list) == first.context["page"].paginator.count - 20


def test_a_bad_page_number_shows_a_page_not_an_error(directory_page, secretary):
    assert directory_page(secretary.user, page="abc").context["page"].number == 1
    last = directory_page(secretary.user, page="999").context["page"]
    assert last.number == last.paginator.num_pages


def test_htmx_request_gets_only_the_results(client, secretary, member):
    client.force_login(secretary.user)
    response = client.get(reverse("directory"), {"q": member.name}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert member.name in text
    assert "<html" not in text


def test_directory_costs_the_same_queries_for_few_and_many(client, secretary, group):
    """Session, user, member, branch check, departments, count, groups, the page of
    members (with group and user joined), and the session save: never one per row."""
    client.force_login(secretary.user)
    client.get(reverse("directory"))  # the first request after sign-in also rotates the session
    MemberFactory.create_batch(3, group=group)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("directory"))
    MemberFactory.create_batch(15, group=group)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("directory"))
    assert len(many.captured_queries) == len(few.captured_queries) <= 12
