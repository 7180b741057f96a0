"""Personas, named once: a member, their leader, another group's member and leader,
the branch secretary, a committee member, another branch's member, and staff."""

import os

import pytest

from members.models import Member

from .factories import BranchFactory, MemberFactory, PartyGroupFactory, UserFactory


def require_service(reason: str) -> None:
    """Skip a test whose service is missing, or fail it when REQUIRE_SERVICES=1 (CI)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def branch(db):
    return BranchFactory(name="机关第一党支部")


@pytest.fixture
def group(branch):
    return PartyGroupFactory(branch=branch, name="第一党小组")


@pytest.fixture
def other_group(branch):
    return PartyGroupFactory(branch=branch, name="第二党小组")


@pytest.fixture
def leader(group):
    member = MemberFactory(group=group, name="李组长", user__username="leader")
    group.leader = member
    group.save()
    return member


@pytest.fixture
def member(group, leader):
    return MemberFactory(group=group, name="张党员", department="综合处", user__username="member")


@pytest.fixture
def other_member(other_group):
    return MemberFactory(group=other_group, name="王另组", department="人事处", user__username="othermember")


@pytest.fixture
def other_leader(other_group):
    person = MemberFactory(group=other_group, name="周另组长", user__username="otherleader")
    other_group.leader = person
    other_group.save()
    return person


@pytest.fixture
def secretary(other_group):
    return MemberFactory(
        group=other_group, name="王书记", branch_role=Member.BranchRole.SECRETARY, user__username="secretary"
    )


@pytest.fixture
def committee(other_group):
    return MemberFactory(
        group=other_group, name="黄委员", branch_role=Member.BranchRole.COMMITTEE, user__username="committee"
    )


@pytest.fixture
def outsider(db):
    foreign_group = PartyGroupFactory(branch=BranchFactory(name="另一党支部"), name="外支部党小组")
    return MemberFactory(group=foreign_group, name="外支部党员", user__username="outsider")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def personas(member, leader, other_member, other_leader, secretary, committee, outsider, staff):
    """Every persona by name; the value is the user to sign in as."""
    return {
        "member": member.user,
        "leader": leader.user,
        "other_member": other_member.user,
        "other_leader": other_leader.user,
        "secretary": secretary.user,
        "committee": committee.user,
        "outsider": outsider.user,
        "staff": staff,
    }
