import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from members.models import Member
from tests.factories import MemberFactory, PartyGroupFactory

# Who may see a member's private details (number, birth date, phone…): the person,
# their group's leader, the branch secretary and committee, and staff.
PRIVATE_DETAILS_OF_MEMBER = {
    "member": True,
    "leader": True,
    "other_member": False,
    "other_leader": False,
    "secretary": True,
    "committee": True,
    "outsider": False,
    "staff": True,
}


@pytest.mark.parametrize("persona,allowed", PRIVATE_DETAILS_OF_MEMBER.items())
def test_private_details_are_for_self_leader_and_committee(persona, allowed, personas, member):
    assert personas[persona].has_perm("members.view_member_private", member) is allowed


@pytest.mark.parametrize(
    "persona,allowed",
    {"member": True, "other_member": True, "secretary": True, "outsider": False, "staff": True}.items(),
)
def test_only_the_branch_and_staff_see_its_directory_and_groups(persona, allowed, personas, branch, group, member):
    user = personas[persona]
    assert user.has_perm("members.view_directory", branch) is allowed
    assert user.has_perm("members.view_partygroup", group) is allowed
    assert user.has_perm("members.view_member", member) is allowed


def test_group_leader_must_belong_to_the_group(group, other_member):
    group.leader = other_member
    with pytest.raises(ValidationError) as excinfo:
        group.full_clean()
    assert "leader" in excinfo.value.message_dict


def test_member_cannot_be_in_a_group_of_another_branch(member, outsider):
    member.group = outsider.group
    with pytest.raises(ValidationError) as excinfo:
        member.full_clean()
    assert "group" in excinfo.value.message_dict


def test_a_branch_has_at_most_one_secretary(secretary, member):
    member.branch_role = Member.BranchRole.SECRETARY
    with pytest.raises(IntegrityError):
        member.save()


def test_two_branches_each_have_their_own_secretary(secretary, outsider):
    outsider.branch_role = Member.BranchRole.SECRETARY
    outsider.save()
    assert Member.objects.filter(branch_role=Member.BranchRole.SECRETARY).count() == 2


def test_member_numbers_are_unique(member):
    with pytest.raises(IntegrityError):
        MemberFactory(number=member.number, group=PartyGroupFactory())
