"""Writes to the party organisation: one function per action."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Branch, Member, PartyGroup

User = get_user_model()


@transaction.atomic
def member_upsert(
    *,
    branch: Branch,
    number: str,
    name: str,
    username: str,
    group: PartyGroup | None = None,
    password: str | None = None,
    email: str = "",
    **fields,
) -> tuple[Member, bool]:
    """Create the member identified by `number`, or bring it up to date.

    Creates the sign-in account on first sight (with `password`, or unusable until
    one is set); an existing account keeps its password. Returns (member, created).
    """
    member = Member.objects.select_related("user").filter(number=number).first()
    created = member is None
    if created:
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        member = Member(user=user, number=number)
    elif email and member.user.email != email:
        member.user.email = email
        member.user.save(update_fields=["email"])
    values = {"branch": branch, "group": group, "name": name, **fields}
    changed = list(values) if created else [key for key, value in values.items() if getattr(member, key) != value]
    for key in changed:
        setattr(member, key, values[key])
    member.full_clean(exclude=["user"])
    if created or changed:
        member.save()
    return member, created


@transaction.atomic
def group_leader_set(*, group: PartyGroup, leader: Member | None) -> PartyGroup:
    """Appoint `leader` (a member of the group) as its leader, or clear it."""
    group = PartyGroup.objects.select_for_update().get(pk=group.pk)
    if group.leader_id != (leader.pk if leader else None):
        group.leader = leader
        group.full_clean()
        group.save(update_fields=["leader"])
    return group
