"""The meeting record as PDF, read back: the Chinese text, embedded subset fonts, the
page footer, and the draft mark exactly until the record is approved."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from meetings import pdf, services

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or pdf.installed_cjk_family() is None,
    reason="needs poppler-utils and fonts-noto-cjk (make test installs them)",
)


def text_of(data: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # pdftotext spaces CJK text as it likes: compare without whitespace


def fonts_of(data: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def pages_of(data: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def recorded(submitted_meeting, leader, member):
    return submitted_meeting


def get_pdf(client, user, meeting):
    client.force_login(user)
    return client.get(reverse("meetings:pdf", args=[meeting.pk]))


def test_the_record_reads_back_in_chinese_with_names_counts_and_footer(client, recorded, leader, member, tmp_path):
    response = get_pdf(client, leader.user, recorded)
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    for expected in ("党小组会议记录", recorded.group.branch.name, recorded.title, leader.name, member.name,
                     "学习党章第二章", "会议记录正文", "组长总结", "主持人签字", "第1页共1页"):
        assert expected in text, expected
    assert "应到2人" in text and "实到2人" in text


def test_every_font_is_embedded_and_subset(client, recorded, leader, tmp_path):
    fonts = fonts_of(get_pdf(client, leader.user, recorded).content, tmp_path)
    assert fonts
    for row in fonts:
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
    assert any("CJK" in row[0] for row in fonts)


def test_the_draft_mark_is_there_until_approval_and_only_then_gone(client, recorded, leader, secretary, tmp_path):
    assert "草稿/未审核" in text_of(get_pdf(client, leader.user, recorded).content, tmp_path)
    services.meeting_approve(meeting=recorded, by=secretary)
    text = text_of(get_pdf(client, leader.user, recorded).content, tmp_path)
    assert "草稿" not in text and "审核通过" in text and secretary.name in text


def test_a_long_record_flows_over_pages_each_with_its_footer(client, held_meeting, leader, tmp_path):
    services.minutes_save(meeting=held_meeting, by=leader, version=held_meeting.version,
                          minutes="\n".join(f"第{n}段：大家结合工作谈了学习体会和改进措施。" for n in range(200)), summary="总结")
    data = get_pdf(client, leader.user, held_meeting).content
    pages = pages_of(data, tmp_path)
    assert pages >= 3
    text = text_of(data, tmp_path)
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in text
    assert text.count("草稿/未审核") == pages


def test_stored_text_is_printed_as_text_not_markup(client, held_meeting, leader, tmp_path):
    services.minutes_save(meeting=held_meeting, by=leader, version=held_meeting.version,
                          minutes="<b>加粗</b><script>alert(1)</script>", summary="总结")
    assert "<script>alert(1)</script>" in text_of(get_pdf(client, leader.user, held_meeting).content, tmp_path)


@pytest.mark.parametrize("persona,status", [("member", 200), ("secretary", 200), ("other_member", 404), ("outsider", 404)])
def test_who_may_export(client, personas, persona, status, recorded):
    assert get_pdf(client, personas[persona], recorded).status_code == status


def test_without_a_chinese_font_the_export_says_what_to_install(client, recorded, leader, monkeypatch):
    monkeypatch.setattr(pdf, "installed_cjk_family", lambda: None)
    client.force_login(leader.user)
    response = client.get(reverse("meetings:pdf", args=[recorded.pk]), follow=True)
    assert "fonts-noto-cjk" in response.content.decode()
