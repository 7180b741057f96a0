import pytest
from django.contrib.auth.models import AnonymousUser

from members.roles import Role, roles_for

M, L, S, C, A = Role.MEMBER, Role.LEADER, Role.SECRETARY, Role.COMMITTEE, Role.STAFF

# persona -> (roles in their branch, roles in `group`, roles in `other_group`)
EXPECTED = {
    "member": ({M}, {M}, set()),
    "leader": ({M, L}, {M, L}, set()),
    "other_member": ({M}, set(), {M}),
    "other_leader": ({M, L}, set(), {M, L}),
    "secretary": ({M, S}, {S}, {M, S}),
    "committee": ({M, C}, {C}, {M, C}),
    "outsider": (set(), set(), set()),
    "staff": ({A}, {A}, {A}),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_roles_come_from_the_organisation(persona, personas, branch, group, other_group):
    in_branch, in_group, in_other_group = EXPECTED[persona]
    user = personas[persona]
    assert roles_for(user, branch=branch) == in_branch
    assert roles_for(user, group=group) == in_group
    assert roles_for(user, group=other_group) == in_other_group


def test_anonymous_has_no_role(branch):
    assert roles_for(AnonymousUser(), branch=branch) == frozenset()


def test_a_deactivated_member_loses_every_role_at_once(leader, group):
    leader.user.is_active = False
    leader.user.save()
    assert roles_for(leader.user, group=group) == frozenset()


def test_a_replaced_leader_is_an_ordinary_member_on_the_next_check(leader, member, group):
    group.leader = member
    group.save()
    leader.refresh_from_db()
    assert roles_for(leader.user, group=group) == {M}
    assert roles_for(member.user, group=group) == {M, L}


def test_a_high_administrative_position_gives_no_role(group):
    from tests.factories import MemberFactory

    chief = MemberFactory(group=group, position="处长", department="综合处")
    assert roles_for(chief.user, group=group) == {M}
