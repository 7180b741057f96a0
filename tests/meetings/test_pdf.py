"""The meeting record as PDF, read back: the Chinese text, embedded subset fonts, the
page footer, and the draft mark exactly until the record is approved."""

import pytest
from django.urls import reverse

from meetings import pdf, services
from meetings.models import AuditEvent
from tests.pdf_support import assert_fonts_embedded_and_subset, needs_pdf_tools, pages_of, text_of

pytestmark = needs_pdf_tools


@pytest.fixture
def recorded(submitted_meeting, leader, member):
    return submitted_meeting


def get_pdf(client, user, meeting):
    client.force_login(user)
    return client.get(reverse("meetings:pdf", args=[meeting.pk]))


def test_the_record_reads_back_in_chinese_with_names_counts_and_footer(client, recorded, leader, member):
    response = get_pdf(client, leader.user, recorded)
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    for expected in ("党小组会议记录", recorded.group.branch.name, recorded.title, leader.name, member.name,
                     "学习党章第二章", "会议记录正文", "组长总结", "主持人签字", "第1页共1页"):
        assert expected in text, expected
    assert "应到2人" in text and "实到2人" in text


def test_every_font_is_embedded_and_subset(client, recorded, leader):
    assert_fonts_embedded_and_subset(get_pdf(client, leader.user, recorded).content)


def test_the_draft_mark_is_there_until_approval_and_only_then_gone(client, recorded, leader, secretary):
    assert "草稿/未审核" in text_of(get_pdf(client, leader.user, recorded).content)
    services.meeting_approve(meeting=recorded, by=secretary)
    text = text_of(get_pdf(client, leader.user, recorded).content)
    assert "草稿" not in text and "审核通过" in text and secretary.name in text


def test_a_long_record_flows_over_pages_each_with_its_footer(client, held_meeting, leader):
    services.minutes_save(meeting=held_meeting, by=leader, version=held_meeting.version,
                          minutes="\n".join(f"第{n}段：大家结合工作谈了学习体会和改进措施。" for n in range(200)), summary="总结")
    data = get_pdf(client, leader.user, held_meeting).content
    pages = pages_of(data)
    assert pages >= 3
    text = text_of(data)
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in text
    assert text.count("草稿/未审核") == pages


def test_stored_text_is_printed_as_text_not_markup(client, held_meeting, leader):
    services.minutes_save(meeting=held_meeting, by=leader, version=held_meeting.version,
                          minutes="<b>加粗</b><script>alert(1)</script>", summary="总结")
    assert "<script>alert(1)</script>" in text_of(get_pdf(client, leader.user, held_meeting).content)


@pytest.mark.parametrize("persona,status", [("member", 200), ("secretary", 200), ("other_member", 404), ("outsider", 404)])
def test_who_may_export(client, personas, persona, status, recorded):
    assert get_pdf(client, personas[persona], recorded).status_code == status


def test_without_a_chinese_font_the_export_says_what_to_install(client, recorded, leader, monkeypatch):
    monkeypatch.setattr(pdf, "installed_cjk_family", lambda: None)
    client.force_login(leader.user)
    response = client.get(reverse("meetings:pdf", args=[recorded.pk]), follow=True)
    assert "fonts-noto-cjk" in response.content.decode()


def test_every_export_is_logged(client, recorded, member, secretary, other_member):
    get_pdf(client, member.user, recorded)
    get_pdf(client, secretary.user, recorded)
    get_pdf(client, other_member.user, recorded)  # 404: not logged
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_MEETING_PDF).order_by("pk"))
    assert [e.actor_id for e in events] == [member.pk, secretary.pk]
    assert all(e.target_id == recorded.pk and e.target_type == "meetings.meeting" for e in events)
    assert events[0].detail == {"state": "submitted"}


def test_people_on_leave_absent_and_guests_are_listed_apart(client, held_meeting, leader, member, secretary):
    from meetings.models import Attendance

    Attendance.objects.filter(meeting=held_meeting, member=member).update(status="leave", leave_reason="出差在外")
    Attendance.objects.create(meeting=held_meeting, member=secretary, is_guest=True, status="present")
    text = text_of(get_pdf(client, leader.user, held_meeting).content)
    assert f"请假{member.name}（出差在外）" in text and "应到2人" in text and "实到1人" in text
    assert f"指导{secretary.name}（支部书记）" in text
