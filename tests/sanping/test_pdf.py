"""The 三评 record as PDF, read back: everything said, in speaking order, in the full
edition; no mutual evaluations or comments in the edition for circulation; fonts
embedded and subset; the draft mark exactly until approval; who may export which
edition; every export logged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import pdf as meeting_pdf
from meetings import services as meeting_services
from meetings.models import AuditEvent, Meeting
from sanping import services
from sanping.models import MutualEvaluation, RectificationItem, SanpingSession
from sanping.pdf import render_sanping_html
from tests.factories import MeetingFactory
from tests.pdf_support import (
    assert_fonts_embedded_and_subset,
    finish_sanping_session,
    needs_pdf_tools,
    page_texts,
    text_of,
)

pytestmark = needs_pdf_tools

MUTUAL_TEXTS = ("张评李：对组员关心不够", "多谈心谈话", "赵评张：有时推诿", "李评赵：发言准备不足")


@pytest.fixture
def finished_session(evaluating_session, leader, member, third):
    return finish_sanping_session(evaluating_session, leader, member, third)


@pytest.fixture
def approved_session(finished_session, secretary):
    meeting_services.meeting_approve(meeting=finished_session.meeting, by=secretary)
    return SanpingSession.objects.select_related("meeting").get(pk=finished_session.pk)


def get_pdf(client, user, session, edition=None):
    client.force_login(user)
    params = {"edition": edition} if edition else {}
    return client.get(reverse("sanping:record_pdf", args=[session.pk]), params)


def test_the_full_edition_reads_back_everything_in_speaking_order(client, approved_session, leader, member, third, secretary):
    response = get_pdf(client, secretary.user, approved_session, "full")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    for expected in ("党小组“三评”会议记录", "全本", approved_session.meeting.group.branch.name, approved_session.meeting.title,
                     "目的意义", "方法步骤", "有关要求", *MUTUAL_TEXTS, "组长点评", "组长记下张党员的发言",
                     "肯定成绩：准备认真", "指出不足：避重就轻", "下一步：逐条落实", "整改措施", "张党员的整改问题", "张党员的整改措施",
                     "审核通过", secretary.name, "主持人签字", "记录人签字"):
        assert expected in text, expected
    for person in (leader, member, third):
        assert f"组长点评{person.name}" in text
    # Self-evaluations in speaking order (leader, member, third), each the presented version, with its author.
    assert text.index(f"1.{leader.name}") < text.index(f"2.{member.name}") < text.index(f"3.{third.name}")
    assert text.index(f"{leader.name}：对照党章查找问题") < text.index(f"{member.name}：对照党章查找问题")
    assert "会前未提交书面材料" in text  # third did not submit
    # Each mutual evaluation under its subject, with its author's name before it.
    member_part = text[text.index(f"2.{member.name}"):text.index(f"3.{third.name}")]
    assert f"{third.name}：赵评张：有时推诿" in member_part


def test_the_edition_for_circulation_leaves_out_mutual_evaluations_and_comments(client, approved_session, leader, member):
    text = text_of(get_pdf(client, leader.user, approved_session, "circulation").content)
    assert "传阅本" in text and f"{member.name}：对照党章查找问题" in text and "张党员的整改措施" in text
    assert "肯定成绩：准备认真" in text
    for left_out in (*MUTUAL_TEXTS, f"组长点评{member.name}", "组长点评：", "互评意见：", "组长记下"):
        assert left_out not in text, left_out


def test_a_participants_circulation_copy_holds_only_their_own_rectification_items(client, approved_session, leader, member, third):
    # As on the record page: a member sees their own items; the leader, who oversees, sees all.
    text = text_of(get_pdf(client, member.user, approved_session, "circulation").content)
    assert f"{member.name}的整改措施" in text
    assert f"{third.name}的整改措施" not in text and f"{leader.name}的整改措施" not in text
    text = text_of(get_pdf(client, leader.user, approved_session, "circulation").content)
    assert f"{member.name}的整改措施" in text and f"{third.name}的整改措施" in text


def test_the_presented_version_is_printed_not_a_later_draft(client, approved_session, member, secretary):
    evaluation = approved_session.self_evaluations.get(member=member)
    type(evaluation).objects.filter(pk=evaluation.pk).update(problems="会后改过的草稿")
    assert "会后改过的草稿" not in text_of(get_pdf(client, secretary.user, approved_session, "full").content)


def test_every_font_is_embedded_and_subset(client, approved_session, secretary):
    for edition in ("full", "circulation"):
        assert_fonts_embedded_and_subset(get_pdf(client, secretary.user, approved_session, edition).content)


def test_the_draft_mark_is_on_every_page_until_approval_and_then_gone(client, finished_session, leader, secretary):
    session = services_long_summary(finished_session)
    pages = page_texts(get_pdf(client, leader.user, session, "full").content)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "草稿/未审核" in page, number
        assert f"第{number}页共{len(pages)}页" in page
    meeting_services.meeting_approve(meeting=session.meeting, by=secretary)
    pages = page_texts(get_pdf(client, leader.user, session, "full").content)
    assert not any("草稿" in page for page in pages)
    assert all(f"第{number}页共{len(pages)}页" in page for number, page in enumerate(pages, start=1))


def services_long_summary(session):
    """A record long enough for several pages (the summary is written before the finish;
    here it is lengthened in the database, as a long session would have it)."""
    SanpingSession.objects.filter(pk=session.pk).update(
        next_steps="\n".join(f"第{n}条：对照整改措施逐条落实，按期报告进展。" for n in range(120))
    )
    return SanpingSession.objects.select_related("meeting").get(pk=session.pk)


@pytest.mark.parametrize("persona,full,circulation", [
    ("leader", 200, 200), ("secretary", 200, 200), ("committee", 200, 200),
    ("member", 404, 404), ("other_member", 404, 404), ("outsider", 404, 404), ("staff", 404, 404),
])
def test_before_approval_only_those_who_oversee_export(client, personas, finished_session, persona, full, circulation):
    assert get_pdf(client, personas[persona], finished_session, "full").status_code == full
    assert get_pdf(client, personas[persona], finished_session, "circulation").status_code == circulation


@pytest.mark.parametrize("persona,full,circulation", [
    ("leader", 200, 200), ("secretary", 200, 200), ("member", 404, 200), ("third", 404, 200),
    ("other_member", 404, 404), ("other_leader", 404, 404), ("outsider", 404, 404),
])
def test_once_approved_the_participants_export_the_edition_for_circulation(client, personas, third, approved_session, persona, full, circulation):
    user = third.user if persona == "third" else personas[persona]
    assert get_pdf(client, user, approved_session, "full").status_code == full
    assert get_pdf(client, user, approved_session, "circulation").status_code == circulation


def test_without_an_edition_each_gets_the_widest_they_may_have(client, approved_session, member, secretary):
    assert "全本" in text_of(get_pdf(client, secretary.user, approved_session).content)
    response = get_pdf(client, member.user, approved_session)
    assert response.status_code == 200 and "传阅本" in text_of(response.content)
    assert get_pdf(client, secretary.user, approved_session, "everything").status_code == 404


def test_every_export_is_logged_with_its_edition(client, approved_session, member, secretary):
    get_pdf(client, secretary.user, approved_session, "full")
    get_pdf(client, member.user, approved_session, "circulation")
    get_pdf(client, member.user, approved_session, "full")  # refused: not logged
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_SANPING_PDF).order_by("pk"))
    assert [(e.actor_id, e.detail["edition"]) for e in events] == [(secretary.pk, "full"), (member.pk, "circulation")]
    assert all(e.target_id == approved_session.pk and e.branch_id == secretary.branch_id for e in events)


def test_the_record_page_offers_the_editions_each_may_export(client, approved_session, finished_session, member, secretary):
    client.force_login(secretary.user)
    text = client.get(reverse("sanping:record", args=[approved_session.pk])).content.decode()
    assert "edition=full" in text and "edition=circulation" in text
    client.force_login(member.user)
    text = client.get(reverse("sanping:record", args=[approved_session.pk])).content.decode()
    assert "edition=full" not in text and "edition=circulation" in text


def test_a_member_sees_no_pdf_button_before_approval(client, finished_session, member):
    client.force_login(member.user)
    text = client.get(reverse("sanping:record", args=[finished_session.pk])).content.decode()
    assert "record.pdf" not in text


def test_the_previous_sessions_rectification_is_reported(client, approved_session, leader, member, secretary):
    earlier = approved_session.meeting.starts_at - datetime.timedelta(days=200)
    previous_meeting = MeetingFactory(group=leader.group, kind=Meeting.Kind.SANPING, title="上一次“三评”会", starts_at=earlier,
                                      chair=leader, state=Meeting.State.APPROVED)
    previous = SanpingSession.objects.create(meeting=previous_meeting)
    RectificationItem.objects.create(session=previous, member=member, problem="上次查摆的问题", measure="上次定的措施",
                                     deadline=timezone.localdate(earlier) + datetime.timedelta(days=30),
                                     state=RectificationItem.State.VERIFIED, verified_at=timezone.now(), verified_by=leader)
    text = text_of(get_pdf(client, secretary.user, approved_session, "full").content)
    assert "上次“三评”整改落实情况" in text and "上一次“三评”会" in text
    assert "上次查摆的问题" in text and "上次定的措施" in text and "已验收" in text


def test_stored_text_is_printed_as_text_not_markup(client, approved_session, member, secretary):
    MutualEvaluation.objects.filter(session=approved_session).update(problems="<b>加粗</b><script>x</script>")
    assert "<b>加粗</b><script>x</script>" in text_of(get_pdf(client, secretary.user, approved_session, "full").content)


def test_the_record_costs_the_same_queries_whatever_its_size(approved_session, leader, member, third):
    with CaptureQueriesContext(connection) as small:
        render_sanping_html(approved_session)
    for n in range(5):
        MutualEvaluation.objects.create(session=approved_session, evaluator=member, evaluatee=third, problems=f"又一条{n}")
        RectificationItem.objects.create(session=approved_session, member=third, problem=f"又一个问题{n}", measure="措施",
                                         deadline=timezone.localdate())
    with CaptureQueriesContext(connection) as large:
        html = render_sanping_html(approved_session)
    assert "又一条4" in html and "又一个问题4" in html
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_without_a_chinese_font_the_export_says_what_to_install(client, approved_session, secretary, monkeypatch):
    monkeypatch.setattr(meeting_pdf, "installed_cjk_family", lambda: None)
    client.force_login(secretary.user)
    response = client.get(reverse("sanping:record_pdf", args=[approved_session.pk]), follow=True)
    assert response.status_code == 200 and "fonts-noto-cjk" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_SANPING_PDF).exists()  # the record page read is logged
