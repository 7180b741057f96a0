"""The yearly group ledger (年度台账), read back: cover, contents whose page numbers are
right, the cadence of the year, every approved record in date order (the 三评 record in
full), the thought-report register; built once for the same records however often it is
asked for; progress shown while it builds; only for the group's leader and the branch;
every download logged."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import cadence, ledger
from meetings.models import AgendaItem, Attendance, AuditEvent, LedgerBuild, Meeting, ThoughtReport
from meetings.services import meeting_approve
from tests.factories import MeetingFactory, ThoughtReportFactory
from tests.pdf_support import assert_fonts_embedded_and_subset, finish_sanping_session, needs_pdf_tools, page_lines, page_texts
from tests.sanping.conftest import evaluating_session, opened_session, sanping_meeting, session, third  # noqa: F401

pytestmark = needs_pdf_tools

YEAR = timezone.localdate().year - 1  # a year that is over: its ledger does not change with the day


def at(month: int, day: int, hour: int = 14) -> datetime.datetime:
    return cadence.local_midnight(datetime.date(YEAR, month, day)) + datetime.timedelta(hours=hour)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approved_meeting(group, leader, member, secretary, *, title, starts_at, kind=Meeting.Kind.GROUP_MEETING, state=Meeting.State.APPROVED):
    meeting = MeetingFactory(group=group, kind=kind, title=title, starts_at=starts_at, chair=leader, recorder=leader,
                             state=state, minutes=f"{title}的会议记录", summary=f"{title}的组长总结",
                             approved_by=secretary if state == Meeting.State.APPROVED else None,
                             approved_at=starts_at + datetime.timedelta(days=2) if state == Meeting.State.APPROVED else None)
    AgendaItem.objects.create(meeting=meeting, position=1, title=f"{title}的议题", category="study", notes="学习讨论")
    for person in (leader, member):
        Attendance.objects.create(meeting=meeting, member=person, status=Attendance.Status.PRESENT)
    return meeting


@pytest.fixture
def year_of_records(evaluating_session, leader, member, third, secretary):  # noqa: F811
    """Last year: a group meeting in January, a thematic party day in March, the 三评
    session in June (approved, everything said), a meeting held in September whose
    record is not approved; a written and an oral thought report."""
    group = leader.group
    sanping = finish_sanping_session(evaluating_session, leader, member, third)
    meeting_approve(meeting=sanping.meeting, by=secretary)
    Meeting.objects.filter(pk=sanping.meeting_id).update(starts_at=at(6, 20), ends_at=at(6, 20, 17), title="年中“三评”会")
    january = approved_meeting(group, leader, member, secretary, title="一月党小组会", starts_at=at(1, 10))
    approved_meeting(group, leader, member, secretary, title="三月主题党日", starts_at=at(3, 5), kind=Meeting.Kind.THEME_DAY)
    approved_meeting(group, leader, member, secretary, title="九月党小组会", starts_at=at(9, 9), state=Meeting.State.HELD)
    ThoughtReportFactory(member=member, title="二月书面思想汇报", submitted_at=at(2, 1))
    ThoughtReportFactory(member=leader, title="一月口头思想汇报", mode=ThoughtReport.Mode.ORAL, meeting=january, submitted_at=at(1, 10))
    ThoughtReportFactory(member=member, title="往年的思想汇报", submitted_at=at(1, 1) - datetime.timedelta(days=3))
    return group


def build_now(group, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build, queued = ledger.ledger_request(group=group, year=YEAR, by=by)
    build.refresh_from_db()
    return build, queued


def pdf_of(build) -> bytes:
    with build.file.open("rb") as handle:
        return handle.read()


def test_the_ledger_reads_back_in_order_with_right_page_numbers(year_of_records, secretary, member, django_capture_on_commit_callbacks):
    build, queued = build_now(year_of_records, secretary, django_capture_on_commit_callbacks)
    assert queued and build.status == LedgerBuild.Status.DONE and build.progress == 100
    data = pdf_of(build)
    pages = page_texts(data)
    assert build.pages == len(pages)
    cover, contents = pages[0], page_lines(data, 2)
    assert f"{YEAR}年度党小组工作台账" in cover and year_of_records.name in cover and year_of_records.branch.name in cover
    assert "第1页" not in cover  # the cover has no header or footer
    for number, page in enumerate(pages[1:], start=2):
        assert f"第{number}页共{len(pages)}页" in page, number
    assert "目录" in contents
    numbers = {}
    for title in ("组织生活落实情况", "一月党小组会", "三月主题党日", "年中“三评”会", "思想汇报登记"):
        found = [re.search(re.escape(title) + r"\.+(\d+)$", line) for line in contents]
        found = [match for match in found if match]
        assert len(found) == 1, (title, contents)
        numbers[title] = int(found[0].group(1))
        assert title in pages[numbers[title] - 1], (title, numbers[title])
    # The approved records in date order; the one not approved is no record of the ledger.
    assert numbers["组织生活落实情况"] < numbers["一月党小组会"] < numbers["三月主题党日"] < numbers["年中“三评”会"] < numbers["思想汇报登记"]
    assert not any("九月党小组会" in line for line in contents)
    text = "".join(pages)
    assert "九月党小组会（记录未审核）" in text  # it counts for the cadence, as on the dashboard
    assert "一月党小组会的会议记录" in text and "九月党小组会的会议记录" not in text
    # The 三评 record in its full edition.
    sanping = "".join(pages[numbers["年中“三评”会"] - 1:numbers["思想汇报登记"] - 1])
    assert "党小组“三评”会议记录" in sanping and "全本" in sanping and "赵评张：有时推诿" in sanping and f"组长点评{member.name}" in sanping
    register = "".join(pages[numbers["思想汇报登记"] - 1:])
    assert "二月书面思想汇报" in register and "一月口头思想汇报" in register and "口头" in register
    assert "往年的思想汇报" not in register
    assert "草稿" not in text


def test_every_font_is_embedded_and_subset(year_of_records, leader, django_capture_on_commit_callbacks):
    build, _queued = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    assert_fonts_embedded_and_subset(pdf_of(build))


def test_the_cadence_of_the_year_period_by_period(year_of_records):
    obligations = {o.rule.obligation: o for o in ledger.cadence_year(year_of_records, YEAR)}
    every_two_months = [row.state for row in obligations["group_meeting"].rows]
    assert every_two_months == ["met", "met", "met", "missed", "met", "missed"]
    assert obligations["group_meeting"].rows[0].meeting.title == "一月党小组会"
    assert [row.state for row in obligations["theme_day"].rows] == ["met", "missed"]
    assert [row.meeting.title for row in obligations["democratic_life"].rows if row.meeting] == ["年中“三评”会"]


def test_asking_twice_builds_once(year_of_records, secretary, leader, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    render = ledger.render_ledger_pdf
    monkeypatch.setattr(ledger, "render_ledger_pdf", lambda *args, **kwargs: calls.append(1) or render(*args, **kwargs))
    first, queued = build_now(year_of_records, secretary, django_capture_on_commit_callbacks)
    second, queued_again = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    assert queued and not queued_again and second.pk == first.pk
    assert LedgerBuild.objects.count() == 1 and len(calls) == 1
    # The task delivered a second time does nothing either.
    assert ledger.ledger_build(build_id=first.pk) is None and len(calls) == 1


def test_two_posts_of_the_page_make_one_build(client, year_of_records, secretary, django_capture_on_commit_callbacks):
    client.force_login(secretary.user)
    url = reverse("meetings:ledger", args=[year_of_records.pk])
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        client.post(url, {"year": YEAR})
        response = client.post(url, {"year": YEAR}, follow=True)
        assert 'data-status="pending"' in response.content.decode()  # the worker has not taken it yet
    assert len(enqueued) == 1 and LedgerBuild.objects.count() == 1
    page = client.get(url, {"year": YEAR}).content.decode()
    assert reverse("meetings:ledger_download", args=[LedgerBuild.objects.get().pk]) in page


def test_a_change_in_the_records_makes_a_new_build(client, year_of_records, secretary, member, django_capture_on_commit_callbacks):
    first, _queued = build_now(year_of_records, secretary, django_capture_on_commit_callbacks)
    ThoughtReportFactory(member=member, title="补交的思想汇报", submitted_at=at(11, 2))
    client.force_login(secretary.user)
    page = client.get(reverse("meetings:ledger", args=[year_of_records.pk]), {"year": YEAR}).content.decode()
    assert 'data-testid="ledger-outdated"' in page
    second, queued = build_now(year_of_records, secretary, django_capture_on_commit_callbacks)
    assert queued and second.pk != first.pk and LedgerBuild.objects.count() == 2
    assert "补交的思想汇报" in "".join(page_texts(pdf_of(second)))


def test_progress_is_reported_as_it_goes_and_shown_while_it_builds(client, year_of_records, secretary, monkeypatch):
    build, queued = ledger.ledger_request(group=year_of_records, year=YEAR, by=secretary, enqueue=False)
    monkeypatch.setattr(ledger._Progress, "interval", 0)  # every step written, as a slow build's would be
    seen, stored = [], []
    ledger.ledger_build(build_id=build.pk, on_progress=lambda percent: seen.append(percent) or stored.append(
        LedgerBuild.objects.values_list("progress", flat=True).get(pk=build.pk)))
    assert seen == sorted(set(seen)) and seen[-1] == 100 and len(seen) >= 5
    assert stored[:-1] == seen[:-1]  # the page's poll reads each step from the row while it builds
    assert any(40 < percent < 95 for percent in seen)  # pages laid out, heard from WeasyPrint
    LedgerBuild.objects.filter(pk=build.pk).update(status=LedgerBuild.Status.RUNNING, progress=42)
    client.force_login(secretary.user)
    status = client.get(reverse("meetings:ledger_status", args=[build.pk]), HTTP_HX_REQUEST="true", HTTP_X_POLL="1")
    text = status.content.decode()
    assert "42%" in text and 'value="42"' in text and 'hx-trigger="every 2s"' in text and "<html" not in text
    LedgerBuild.objects.filter(pk=build.pk).update(status=LedgerBuild.Status.DONE, progress=100)
    text = client.get(reverse("meetings:ledger_status", args=[build.pk])).content.decode()
    assert "hx-trigger" not in text and reverse("meetings:ledger_download", args=[build.pk]) in text


def test_a_failed_build_says_why_and_may_be_asked_for_again(client, year_of_records, leader, monkeypatch, django_capture_on_commit_callbacks):
    render = ledger.render_ledger_pdf
    monkeypatch.setattr(ledger, "render_ledger_pdf", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("字体读取失败")))
    build, _queued = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    assert build.status == LedgerBuild.Status.FAILED and "字体读取失败" in build.error
    client.force_login(leader.user)
    page = client.get(reverse("meetings:ledger", args=[year_of_records.pk]), {"year": YEAR}).content.decode()
    assert "字体读取失败" in page and 'data-testid="ledger-build"' in page
    monkeypatch.setattr(ledger, "render_ledger_pdf", render)
    again, queued = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    assert queued and again.pk == build.pk and again.status == LedgerBuild.Status.DONE


def test_a_build_whose_worker_vanished_is_queued_again(year_of_records, leader, django_capture_on_commit_callbacks):
    build, _queued = ledger.ledger_request(group=year_of_records, year=YEAR, by=leader, enqueue=False)
    LedgerBuild.objects.filter(pk=build.pk).update(status=LedgerBuild.Status.RUNNING,
                                                   requested_at=timezone.now() - ledger.STALE_AFTER - datetime.timedelta(minutes=1))
    again, queued = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    assert queued and again.status == LedgerBuild.Status.DONE
    # One still running within the time is left alone.
    LedgerBuild.objects.filter(pk=build.pk).update(status=LedgerBuild.Status.RUNNING, requested_at=timezone.now())
    assert build_now(year_of_records, leader, django_capture_on_commit_callbacks)[1] is False


@pytest.mark.parametrize("persona,status", [("leader", 200), ("secretary", 200), ("committee", 200), ("member", 404),
                                            ("other_leader", 404), ("other_member", 404), ("outsider", 404), ("staff", 404)])
def test_the_ledger_is_for_the_groups_leader_and_the_branch(client, personas, year_of_records, persona, status, secretary,
                                                            django_capture_on_commit_callbacks):
    build, _queued = build_now(year_of_records, secretary, django_capture_on_commit_callbacks)
    client.force_login(personas[persona])
    assert client.get(reverse("meetings:ledger", args=[year_of_records.pk])).status_code == status
    assert client.get(reverse("meetings:ledger_status", args=[build.pk])).status_code == status
    assert client.get(reverse("meetings:ledger_download", args=[build.pk])).status_code == status
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("meetings:ledger", args=[year_of_records.pk]), {"year": YEAR}).status_code == (302 if status == 200 else 404)


def test_the_download_is_the_pdf_and_is_logged(client, year_of_records, leader, django_capture_on_commit_callbacks):
    build, _queued = build_now(year_of_records, leader, django_capture_on_commit_callbacks)
    client.force_login(leader.user)
    response = client.get(reverse("meetings:ledger_download", args=[build.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_LEDGER)
    assert event.actor == leader and event.target_id == year_of_records.pk and event.detail["year"] == YEAR
    assert not build.file.url.startswith(reverse("meetings:ledger_download", args=[build.pk]))


def test_the_group_page_and_the_dashboard_link_the_ledger(client, year_of_records, leader, member, secretary):
    url = reverse("meetings:ledger", args=[year_of_records.pk])
    client.force_login(leader.user)
    assert url in client.get(reverse("group_detail", args=[year_of_records.pk])).content.decode()
    client.force_login(member.user)
    assert url not in client.get(reverse("group_detail", args=[year_of_records.pk])).content.decode()
    client.force_login(secretary.user)
    assert url in client.get(reverse("meetings:cadence")).content.decode()


def test_a_year_without_records_still_makes_a_ledger(year_of_records, secretary):
    build, _queued = ledger.ledger_request(group=year_of_records, year=YEAR - 1, by=secretary, enqueue=False)
    data, pages = ledger.render_ledger_pdf(year_of_records, YEAR - 1)
    assert "本年度尚无审核通过的会议记录" in "".join(page_texts(data))


def test_the_task_is_registered_with_celery():
    from sanping.celery import app

    app.loader.import_default_modules()
    assert "meetings.build_ledger" in app.tasks


def test_a_year_to_come_is_refused(year_of_records, secretary):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ledger.ledger_request(group=year_of_records, year=timezone.localdate().year + 1, by=secretary)
    assert not LedgerBuild.objects.exists()


def test_a_year_not_offered_falls_back_to_the_latest(client, year_of_records, secretary):
    client.force_login(secretary.user)
    for year in ("abc", "1800", str(timezone.localdate().year + 5)):
        response = client.get(reverse("meetings:ledger", args=[year_of_records.pk]), {"year": year})
        assert response.status_code == 200 and response.context["year"] == timezone.localdate().year


@pytest.mark.parametrize("year", ["abc", "", "99999", "-2026", "1800", str(timezone.localdate().year + 1), "9" * 5000])
def test_a_post_of_a_year_not_offered_builds_nothing(client, year_of_records, secretary, year):
    client.force_login(secretary.user)
    url = reverse("meetings:ledger", args=[year_of_records.pk])
    response = client.post(url, {"year": year}, follow=True)
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not LedgerBuild.objects.exists()


def test_the_ledger_reads_its_meeting_records_in_a_fixed_number_of_queries(year_of_records, leader, member, secretary):
    """Each further approved meeting of the year adds no query: the records' meetings,
    agenda, attendance, review and reports are read for the whole year at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ledger.render_ledger_html(year_of_records, YEAR)  # the caches it fills once (cadence rules and the like)
    with CaptureQueriesContext(connection) as before:
        ledger.render_ledger_html(year_of_records, YEAR)
    for month in (4, 5, 7, 8, 10, 11):
        approved_meeting(year_of_records, leader, member, secretary, title=f"{month}月党小组会", starts_at=at(month, 12))
    with CaptureQueriesContext(connection) as after:
        html = ledger.render_ledger_html(year_of_records, YEAR)
    assert "11月党小组会的会议记录" in html
    assert len(after) == len(before)
