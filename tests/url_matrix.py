"""Every URL of the project, with the objects it is asked about and who gets what.

Shared by the authorization matrix (tests/test_authorization_matrix.py), the CSP page
check (tests/test_csp.py) and the form fuzzing (tests/test_fuzz_forms.py).

A *world* is one branch's worth of objects: a meeting of the group, a 三评 session in
its evaluation stage, a rectification item, thought reports, a notification... built
through the services as a real branch would have them. Each row of `ROWS` names a URL,
a method, the objects its arguments come from, and the answer of each persona:

    anon  member  other_member  leader  other_leader  secretary  committee  outsider  staff

(the personas of tests/conftest.py; "member" is a member of the group whose objects
these are, "other_*" belong to another group of the same branch, "outsider" to another
branch, "staff" is an administrator without a member record).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.ical import calendar_feed_reset
from meetings.models import LedgerBuild, Meeting, Notification, ThoughtReport
from meetings.services import AgendaEntry
from members.models import Member, RosterImport
from sanping import services as sanping_services
from sanping.models import RectificationItem

from .factories import MemberFactory, ThoughtReportFactory

PERSONAS = ["anon", "member", "other_member", "leader", "other_leader", "secretary", "committee", "outsider", "staff"]

# URL namespaces left out, with the reason:
# - admin: Django's admin checks is_staff/permissions itself (tested by Django); our
#   AuditEventAdmin is tested in tests/test_audit.py;
# - set_language (Django's i18n view) is for everyone, signed in or not, and changes
#   only the visitor's own language cookie.
EXCLUDED_NAMESPACES = ("admin",)
EXCLUDED_NAMES = ("set_language",)


def url_names() -> dict[str, URLPattern]:
    """Every named URL pattern of the project, as 'namespace:name', minus the exclusions."""
    found: dict[str, URLPattern] = {}

    def walk(resolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in EXCLUDED_NAMESPACES:
                    continue
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"
                if entry.name not in EXCLUDED_NAMES:
                    found[name] = entry

    walk(get_resolver(), "")
    return found


# The world -------------------------------------------------------------------------------


@dataclass
class World:
    """One branch's objects, by the names the rows use for URL arguments."""

    objects: dict[str, object] = field(default_factory=dict)

    def pk(self, key: str):
        value = self.objects[key]
        return getattr(value, "pk", value)

    def resolve(self, value):
        """A POST value: "@key" is that object's pk, "@key.field" its field as stored now."""
        if not isinstance(value, str) or not value.startswith("@"):
            return value
        key, _sep, attribute = value[1:].partition(".")
        if not attribute:
            return self.pk(key)
        obj = self.objects[key]
        return type(obj)._default_manager.filter(pk=obj.pk).values_list(attribute, flat=True).get()


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _meeting(leader: Member, group, *, days: int, publish: bool = True, kind=Meeting.Kind.GROUP_MEETING,
             title: str = "十一月党小组会") -> Meeting:
    return meeting_services.meeting_create(
        by=leader, group=group, kind=kind, title=title, starts_at=_at(days, 14), ends_at=_at(days, 16),
        place="三楼会议室", chair=leader, recorder=None, publish=publish,
        agenda=[AgendaEntry("学习党章第二章", "study"), AgendaEntry("党员汇报思想", "thought_reports")],
    )


def _started_now(meeting: Meeting) -> Meeting:
    """The meeting's day has come: it started a few minutes ago."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=2)
    )
    meeting.refresh_from_db()
    return meeting


def _held(meeting: Meeting, leader: Member) -> Meeting:
    """Opened, everyone present, closed: the minutes are being written."""
    meeting = meeting_services.meeting_open(meeting=_started_now(meeting), by=leader)
    for attendance in meeting.attendances.all():
        meeting_services.attendance_set(meeting=meeting, by=leader, member_id=attendance.member_id, status="present")
    return meeting_services.meeting_close(meeting=meeting, by=leader)


def build_world(*, branch, group, leader: Member, member: Member, secretary_user) -> World:
    """A branch's objects around one group (leader, member and a third member):

    - meetings of the group: a draft, a scheduled one next week, a held one (minutes
      being written) and a submitted one;
    - a 三评 session of today in its evaluation stage, the leader speaking, everyone's
      material submitted, a mutual evaluation of the leader by the third member;
    - rectification items of the member: one open, one marked done;
    - a submitted and a draft thought report, a notification and a calendar feed of the
      member; an unconfirmed roster upload of the branch; a built yearly ledger of the group
      (its file under MEDIA_ROOT: the caller points MEDIA_ROOT at a temporary folder)."""
    third = MemberFactory(group=group, name="赵第三")
    draft_meeting = _meeting(leader, group, days=9, publish=False, title="草稿会议")
    meeting = _meeting(leader, group, days=7)
    held_meeting = _held(_meeting(leader, group, days=1, title="已召开的会议"), leader)
    submitted_meeting = _held(_meeting(leader, group, days=1, title="已提交的会议"), leader)
    submitted_meeting = meeting_services.minutes_save(
        meeting=submitted_meeting, by=leader, version=submitted_meeting.version, minutes="会议记录", summary="组长总结"
    )
    submitted_meeting = meeting_services.meeting_submit(meeting=submitted_meeting, by=leader)

    sanping_meeting = _meeting(leader, group, days=1, kind=Meeting.Kind.SANPING, title="党小组“三评”会")
    session = sanping_meeting.sanping
    for person in (leader, member, third):
        evaluation = session.self_evaluations.get(member=person)
        evaluation = sanping_services.self_evaluation_save(
            evaluation=evaluation, by=person, problems=f"{person.name}：理论学习不够", causes="重业务轻学习",
            direction="加强学习", version=evaluation.version,
        )
        sanping_services.self_evaluation_submit(evaluation=evaluation, by=person)
    _started_now(sanping_meeting)
    session.refresh_from_db()
    session = sanping_services.session_advance(session=session, by=leader)
    for person in (leader, member, third):
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status="present")
    sanping_services.speaking_order_set(session=session, by=leader, member_ids=[leader.pk, member.pk, third.pk])
    session = sanping_services.session_advance(session=session, by=leader)
    slot = session.slots.order_by("position").first()
    session = sanping_services.speaker_set(session=session, by=leader, slot=slot)
    mutual = sanping_services.mutual_evaluation_add(
        session=session, by=third, evaluatee=leader, evaluator=None, problems="会前准备不足", suggestions="提前准备",
    )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    item = RectificationItem.objects.create(
        session=session, member=member, problem="理论学习不够", measure="每周学习两小时", deadline=deadline,
    )
    done_item = RectificationItem.objects.create(
        session=session, member=member, problem="联系群众不够", measure="每月走访", deadline=deadline,
    )
    done_item = sanping_services.rectification_mark_done(item=done_item, by=member, evidence="走访记录")

    report = ThoughtReportFactory(member=member, title="十月思想汇报")
    draft_report = ThoughtReportFactory(member=member, title="草稿", state=ThoughtReport.State.DRAFT, submitted_at=None)
    notification = Notification.objects.create(
        recipient=member, kind="meeting_published", subject_key=f"meeting:{meeting.pk}", url=f"/meetings/{meeting.pk}/"
    )
    feed = calendar_feed_reset(member=member)
    upload = RosterImport.objects.create(branch=branch, created_by=secretary_user, file_name="roster.xlsx", rows=[])
    ledger_build = LedgerBuild.objects.create(
        group=group, year=timezone.localdate().year, source_key="matrix", status=LedgerBuild.Status.DONE, progress=100,
        requested_by=leader, file=ContentFile(b"%PDF-1.4 matrix", name="ledger.pdf"),
    )
    return World({
        "meeting": meeting, "draft_meeting": draft_meeting, "held_meeting": held_meeting,
        "submitted_meeting": submitted_meeting, "agenda_item": meeting.agenda_items.order_by("position").first(),
        "held_item": held_meeting.agenda_items.order_by("position").first(),
        "held_attendance": held_meeting.attendances.get(member=member), "session": session, "slot": slot,
        "mutual": mutual, "evaluation": session.self_evaluations.get(member=member), "item": item, "done_item": done_item, "report": report, "draft_report": draft_report,
        "notification": notification, "token": feed.token, "member": member, "leader": leader, "third": third,
        "group": group, "branch": branch, "upload": upload, "ledger_build": ledger_build, "sanping_meeting": session.meeting,
    })


# The table -------------------------------------------------------------------------------

# Cells:
#   L    anonymous: a redirect to the sign-in page (401 for an htmx request)
#   200, 204, 302, 400, 403, 404, 405: that status
#   ok   allowed: the view did its work or answered with a domain refusal (200, 204, 302, 400, 409)
#   no   refused: 403 or 404
CELL_STATUSES = {
    "ok": {200, 204, 302, 400, 409},
    "no": {403, 404},
}


def expected_statuses(cell: str) -> set[int]:
    if cell == "L":
        return {302}
    if cell == "?":
        return set()
    return CELL_STATUSES.get(cell) or {int(cell)}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    args: str  # "pk=session slot_pk=slot": URL argument = world object key
    cells: tuple[str, ...]
    data: tuple = ()  # extra POST data, as (key, value) pairs
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}" + (f"[{self.args}]" if self.args else "")

    def expect(self, persona: str) -> set[int]:
        return expected_statuses(self.cells[PERSONAS.index(persona)])

    def post_data(self, world: World) -> dict:
        return {key.format(member=world.pk("member")): [world.resolve(v) for v in value] if isinstance(value, list)
                else world.resolve(value) for key, value in self.data}

    def url(self, world: World) -> str:
        kwargs = {}
        for pair in self.args.split():
            key, _sep, source = pair.partition("=")
            kwargs[key] = world.pk(source)
        return reverse(self.name, kwargs=kwargs)


def R(name: str, method: str, args: str, cells: str, *, data: dict | None = None, note: str = "") -> Row:
    parts = tuple(cells.split())
    assert len(parts) == len(PERSONAS), f"{name}: {len(parts)} cells for {len(PERSONAS)} personas"
    return Row(name, method, args, parts, tuple((data or {}).items()), note)


#          URL name                     method  arguments              anon member omem lead olead sec  com  out  staff
ROWS = [
    # The health check of the load balancer: no sign-in, no data
    R("healthz",                         "GET",  "",                   "200  200  200  200  200  200  200  200  200"),
    # The start page, sign-in, password
    R("home",                            "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    R("login",                           "GET",  "",                   "200  302  302  302  302  302  302  302  302"),
    R("login",                           "POST", "",                   "200  302  302  302  302  302  302  302  302"),
    R("logout",                          "POST", "",                   "302  302  302  302  302  302  302  302  302"),
    R("password_change",                 "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    R("password_change",                 "POST", "",                   "L    200  200  200  200  200  200  200  200"),
    R("password_change_done",            "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    # Members, groups, roster
    R("profile",                         "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("directory",                       "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    R("member_detail",                   "GET",  "pk=member",          "L    200  200  200  200  200  200  404  200"),
    R("group_detail",                    "GET",  "pk=group",           "L    200  200  200  200  200  200  404  200"),
    R("member_history",                  "GET",  "pk=member",          "L    200  403  200  403  200  200  404  200"),
    R("member_transfer",                 "GET",  "pk=member",          "L    403  403  403  403  200  403  404  200"),
    R("member_transfer",                 "POST", "pk=member",          "L    403  403  403  403  ok   403  404  ok"),
    R("member_password_reset",           "POST", "pk=member",          "L    403  403  403  403  302  403  404  302"),
    R("member_deactivate",               "GET",  "pk=member",          "L    403  403  403  403  200  403  404  200"),
    R("member_deactivate",               "POST", "pk=member",          "L    403  403  403  403  302  403  404  302"),
    R("member_reactivate",               "POST", "pk=member",          "L    403  403  403  403  302  403  404  302"),
    R("roster_export",                   "GET",  "",                   "L    403  403  403  403  200  200  403  200"),
    R("group_history",                   "GET",  "pk=group",           "L    403  403  200  403  200  200  404  200"),
    R("group_leader",                    "GET",  "pk=group",           "L    403  403  403  403  200  403  404  200"),
    R("group_leader",                    "POST", "pk=group",           "L    403  403  403  403  ok   403  404  ok"),
    R("roster",                          "GET",  "",                   "L    403  403  403  403  302  403  403  200"),
    R("roster_passwords",                "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    R("roster_passwords",                "POST", "",                   "L    302  302  302  302  302  302  302  302"),
    R("roster_branch",                   "GET",  "branch_pk=branch",   "L    403  403  403  403  200  403  404  200"),
    R("roster_template",                 "GET",  "branch_pk=branch",   "L    403  403  403  403  200  403  404  200"),
    R("roster_import",                   "GET",  "branch_pk=branch",   "L    403  403  403  403  302  403  404  302"),
    R("roster_import",                   "POST", "branch_pk=branch",   "L    403  403  403  403  400  403  404  400"),
    R("roster_preview",                  "GET",  "branch_pk=branch pk=upload", "L 403 403 403 403 200 403 404 200"),
    R("roster_preview",                  "POST", "branch_pk=branch pk=upload", "L 403 403 403 403 302 403 404 302"),
    # Meetings: the schedule, chairing, minutes, review
    R("meetings:list",                   "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:create",                 "GET",  "",                   "L    403  403  200  200  200  200  403  404"),
    R("meetings:create",                 "POST", "",                   "L    403  403  200  200  200  200  403  404"),
    R("meetings:detail",                 "GET",  "pk=meeting",         "L    200  404  200  404  200  200  404  404"),
    R("meetings:detail",                 "GET",  "pk=draft_meeting",   "L    404  404  200  404  200  200  404  404"),
    R("meetings:detail",                 "GET",  "pk=held_meeting",    "L    200  404  200  404  200  200  404  404"),
    R("meetings:detail",                 "GET",  "pk=submitted_meeting", "L  200  404  200  404  200  200  404  404"),
    R("meetings:edit",                   "GET",  "pk=meeting",         "L    403  404  200  404  200  200  404  404"),
    R("meetings:edit",                   "POST", "pk=meeting",         "L    403  404  200  404  200  200  404  404"),
    R("meetings:publish",                "POST", "pk=draft_meeting",   "L    404  404  302  404  302  302  404  404"),
    R("meetings:cancel",                 "POST", "pk=meeting",         "L    403  404  302  404  302  302  404  404",
      data={"reason": "时间冲突"}),
    R("meetings:chair",                  "GET",  "pk=meeting",         "L    403  404  200  404  200  200  404  404"),
    R("meetings:open",                   "POST", "pk=meeting",         "L    403  404  302  404  302  302  404  404"),
    R("meetings:close",                  "POST", "pk=meeting",         "L    403  404  302  404  302  302  404  404"),
    R("meetings:mark_held",              "POST", "pk=meeting",         "L    403  404  302  404  302  302  404  404"),
    R("meetings:current_item",           "POST", "pk=meeting",         "L    403  404  302  404  302  302  404  404",
      data={"item": "@agenda_item"}),
    R("meetings:attendance",             "POST", "pk=held_meeting member_pk=member",
                                                                       "L    403  404  302  404  302  302  404  404",
      data={"status": "leave", "leave_reason": "出差"}),
    R("meetings:makeup",                 "POST", "pk=held_meeting attendance_pk=held_attendance",
                                                                       "L    403  404  302  404  302  302  404  404",
      data={"done_on": "2026-01-05", "note": "补学党章"}),
    R("meetings:notes",                  "POST", "pk=held_meeting item_pk=held_item",
                                                                       "L    403  404  200  404  200  200  404  404",
      data={"notes": "讨论记录", "version": "@held_item.version"}),
    R("meetings:minutes",                "GET",  "pk=held_meeting",    "L    403  404  302  404  302  302  404  404"),
    R("meetings:minutes",                "POST", "pk=held_meeting",    "L    403  404  302  404  302  302  404  404",
      data={"minutes": "会议记录", "summary": "组长总结", "version": "@held_meeting.version"}),
    R("meetings:submit",                 "POST", "pk=held_meeting",    "L    403  404  ok   404  403  403  404  404"),
    R("meetings:return",                 "POST", "pk=submitted_meeting", "L  403  404  403  404  302  302  404  404",
      data={"comment": "请补充议题记录"}),
    R("meetings:approve",                "POST", "pk=submitted_meeting", "L  403  404  403  404  302  302  404  404"),
    R("meetings:history",                "GET",  "pk=meeting",         "L    200  404  200  404  200  200  404  404"),
    R("meetings:pdf",                    "GET",  "pk=meeting",         "L    200  404  200  404  200  200  404  404"),
    R("meetings:review_queue",           "GET",  "",                   "L    403  403  403  403  200  200  403  404"),
    # The yearly ledger of a group: its leader, the secretary and committee; 404 for anyone else
    R("meetings:ledger",                 "GET",  "pk=group",           "L    404  404  200  404  200  200  404  404"),
    R("meetings:ledger",                 "POST", "pk=group",           "L    404  404  302  404  302  302  404  404"),
    R("meetings:ledger_status",          "GET",  "pk=ledger_build",    "L    404  404  200  404  200  200  404  404"),
    R("meetings:ledger_download",        "GET",  "pk=ledger_build",    "L    404  404  200  404  200  200  404  404"),
    # Cadence
    R("meetings:cadence",                "GET",  "",                   "L    403  403  403  403  200  200  403  404"),
    R("meetings:cadence_rules",          "GET",  "",                   "L    403  403  403  403  200  200  403  404"),
    R("meetings:cadence_rules",          "POST", "",                   "L    403  403  403  403  200  403  403  404"),
    # Calendar: the feed is found by its secret token alone (calendar apps send no session)
    R("meetings:calendar",               "GET",  "",                   "L    200  200  200  200  200  200  200  200"),
    R("meetings:ics_download",           "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:ics_feed",               "GET",  "token=token",        "200  200  200  200  200  200  200  200  200"),
    R("meetings:feed_reset",             "POST", "",                   "L    302  302  302  302  302  302  302  404"),
    # Thought reports: a draft is its author's alone; a submitted one is also the leader's and the branch's
    R("meetings:reports",                "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:report_create",          "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:report_create",          "POST", "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:report_detail",          "GET",  "pk=report",          "L    200  404  200  404  200  200  404  404"),
    R("meetings:report_detail",          "GET",  "pk=draft_report",    "L    200  404  404  404  404  404  404  404"),
    R("meetings:report_edit",            "GET",  "pk=report",          "L    302  404  302  404  302  302  404  404"),
    R("meetings:report_edit",            "GET",  "pk=draft_report",    "L    200  404  404  404  404  404  404  404"),
    R("meetings:report_edit",            "POST", "pk=draft_report",    "L    200  404  404  404  404  404  404  404"),
    R("meetings:oral_report_create",     "GET",  "pk=held_meeting",    "L    403  404  200  404  200  200  404  404"),
    R("meetings:oral_report_create",     "POST", "pk=held_meeting",    "L    403  404  200  404  200  200  404  404"),
    # Notifications: one's own only
    R("meetings:notifications",          "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("meetings:notification_open",      "POST", "pk=notification",    "L    302  404  404  404  404  404  404  404"),
    R("meetings:notifications_read_all", "POST", "",                   "L    302  302  302  302  302  302  302  404"),
    R("meetings:notification_preferences", "GET", "",                  "L    200  200  200  200  200  200  200  404"),
    R("meetings:notification_preferences", "POST", "",                 "L    302  302  302  302  302  302  302  404"),
    # The 三评 session: participants (leader, member), the branch's secretary and committee
    R("sanping:overview",                "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("sanping:guidance",                "POST", "pk=session",         "L    403  404  403  404  302  302  404  404",
      data={"text": "发言要联系实际"}),
    R("sanping:session",                 "GET",  "pk=session",         "L    200  404  200  404  200  200  404  404"),
    R("sanping:live",                    "GET",  "pk=session",         "L    200  404  200  404  200  200  404  404"),
    R("sanping:self_evaluation_save",    "POST", "pk=session",         "L    ok   404  ok   404  404  404  404  404",
      data={"problems": "问题", "causes": "原因", "direction": "方向", "version": "@evaluation.version"}),
    R("sanping:self_evaluation_submit",  "POST", "pk=session",         "L    ok   404  ok   404  404  404  404  404",
      data={"problems": "问题", "causes": "原因", "direction": "方向", "version": "@evaluation.version"}),
    R("sanping:self_evaluation_withdraw", "POST", "pk=session",        "L    302  404  302  404  404  404  404  404"),
    R("sanping:mutual_add",              "POST", "pk=session",         "L    302  404  400  404  403  403  404  404",
      data={"evaluatee": "@leader", "problems": "批评意见", "suggestions": "改进建议"}),
    R("sanping:record",                  "GET",  "pk=session",         "L    200  404  200  404  200  200  404  404"),
    # The PDF record: the full edition for those who oversee; participants once approved (this one is not)
    R("sanping:record_pdf",              "GET",  "pk=session",         "L    404  404  200  404  200  200  404  404"),
    # The console: those who run the session write, the branch reads; a plain member is refused
    R("sanping:console",                 "GET",  "pk=session",         "L    403  404  200  404  200  200  404  404"),
    R("sanping:opening_save",            "POST", "pk=session",         "L    403  404  ok   404  403  403  404  404",
      data={"purpose": "目的", "method": "方法", "requirements": "要求", "version": "@session.version"}),
    R("sanping:order_set",               "POST", "pk=session",         "L    403  404  302  404  403  403  404  404",
      data={"member": ["@leader", "@member", "@third"]}),
    R("sanping:advance",                 "POST", "pk=session",         "L    403  404  302  404  403  403  404  404"),
    R("sanping:step_back",               "POST", "pk=session",         "L    403  404  302  404  403  403  404  404"),
    R("sanping:speaker_set",             "POST", "pk=session",         "L    403  404  302  404  403  403  404  404",
      data={"slot": "@slot"}),
    R("sanping:slot_notes",              "POST", "pk=session slot_pk=slot", "L 403  404  302  404  403  403  404  404",
      data={"notes": "发言记录", "version": "@slot.notes_version"}),
    R("sanping:summary_save",            "POST", "pk=session",         "L    403  404  302  404  403  403  404  404",
      data={"achievements": "成绩", "shortcomings": "不足", "next_steps": "措施", "version": "@session.version"}),
    R("sanping:comment_save",            "POST", "pk=session member_pk=member", "L 403 404 302  404  403  403  404  404",
      data={"text": "点评"}),
    R("sanping:item_add",                "POST", "pk=session",         "L    403  404  302  404  403  403  404  404",
      data={"member": "@member", "m{member}-problem": "问题", "m{member}-measure": "措施",
            "m{member}-deadline": "2030-01-01"}),
    R("sanping:item_remove",             "POST", "pk=session item_pk=item", "L 403  404  302  404  403  403  404  404"),
    R("sanping:finish",                  "POST", "pk=session",         "L    403  404  302  404  403  403  404  404"),
    R("sanping:clock",                   "POST", "pk=session",         "L    403  404  302  404  403  403  404  404",
      data={"action": "start"}),
    R("sanping:coverage",                "GET",  "pk=session",         "L    403  404  200  404  200  200  404  404"),
    R("sanping:projector",               "GET",  "pk=session",         "L    200  404  200  404  200  200  404  404"),
    R("sanping:projector_state",         "GET",  "pk=session",         "L    200  404  200  404  200  200  404  404"),
    # Rectification: the member works, the leader (and the branch) verify
    R("sanping:items",                   "GET",  "",                   "L    200  200  200  200  200  200  200  404"),
    R("sanping:item",                    "GET",  "pk=item",            "L    200  404  200  404  200  200  404  404"),
    R("sanping:item_progress",           "POST", "pk=item",            "L    302  404  403  404  403  403  404  404",
      data={"note": "学习了党章"}),
    R("sanping:item_done",               "POST", "pk=item",            "L    302  404  403  404  403  403  404  404"),
    R("sanping:item_verify",             "POST", "pk=done_item",       "L    403  404  302  404  302  302  404  404"),
    R("sanping:item_send_back",          "POST", "pk=done_item",       "L    403  404  302  404  302  302  404  404",
      data={"note": "证据不足"}),
]
