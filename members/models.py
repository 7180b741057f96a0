"""The party organisation: branches (党支部), party groups (党小组) and members (党员).

Roles come only from the organisation: the leader of a group is named on the group,
the secretary and committee members of a branch are marked on the member. A member's
department and position are plain data and give no rights here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Branch(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartyGroup(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="groups", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_groups",
        verbose_name=_("group leader"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    # Every change of leader is kept with its date and who made it (HistoryRequestMiddleware).
    history = HistoricalRecords(excluded_fields=["position"])

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["branch", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="group_name_unique_in_branch")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.leader_id and self.leader.group_id != self.pk:
            raise ValidationError({"leader": _("The group leader must be a member of the group.")})


class Member(models.Model):
    class Status(models.TextChoices):
        FULL = "full", _("full member")
        PROBATIONARY = "probationary", _("probationary member")

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class BranchRole(models.TextChoices):
        NONE = "", _("none")
        SECRETARY = "secretary", _("branch secretary")
        COMMITTEE = "committee", _("committee member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="member",
        verbose_name=_("sign-in account"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch"))
    group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("party group"),
    )
    number = models.CharField(_("member number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FULL)
    joined_party_on = models.DateField(_("date of joining the party"), null=True, blank=True)
    full_member_on = models.DateField(_("date of becoming a full member"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    branch_role = models.CharField(
        _("role in the branch"), max_length=20, choices=BranchRole.choices, default=BranchRole.NONE, blank=True
    )
    # Set when the secretary issues a one-time password (import or reset); cleared when
    # the person chooses their own. Until then every page leads to the password change.
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)
    # The day the member left the branch (组织关系转出); their account is then inactive
    # and every record they appear in keeps them.
    left_on = models.DateField(_("left the branch on"), null=True, blank=True)

    # Transfers between groups, changes of status and departures, with their dates.
    history = HistoricalRecords(excluded_fields=["must_change_password"])

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["branch", "group__position", "name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch"], condition=Q(branch_role="secretary"), name="one_secretary_per_branch"
            ),
        ]
        indexes = [models.Index(fields=["branch", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.group_id and self.branch_id and self.group.branch_id != self.branch_id:
            raise ValidationError({"group": _("The group belongs to another branch.")})

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def is_branch_committee(self) -> bool:
        """Secretary or committee member: the branch's reviewers."""
        return self.branch_role in {self.BranchRole.SECRETARY, self.BranchRole.COMMITTEE}


class RosterImport(models.Model):
    """One uploaded roster file: its rows as read (cell text, no passwords), kept so that
    the preview can be confirmed later and so that who imported what stays on record."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("branch"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    rows = models.JSONField(_("rows"), default=list)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name or str(self.pk)
