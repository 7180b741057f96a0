"""Reading the PDF records back (poppler-utils' pdftotext, pdffonts, pdfinfo), and a whole
三评 session run through the services, for the PDF, ledger and browser tests."""

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from meetings import pdf

needs_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None or pdf.installed_cjk_family() is None,
    reason="needs poppler-utils and fonts-noto-cjk (make test installs them)",
)


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.pdf"
        path.write_bytes(data)
        return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                              capture_output=True, text=True, check=True).stdout


def page_texts(data: bytes) -> list[str]:
    """Each page's text without whitespace (pdftotext spaces CJK text as it likes)."""
    pages = _run("pdftotext", data).split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]  # pdftotext ends every page with a form feed, the last one too
    return ["".join(page.split()) for page in pages]


def page_lines(data: bytes, page: int) -> list[str]:
    """The lines of one page (from 1), each without whitespace."""
    lines = _run("pdftotext", data, "-layout", "-f", str(page), "-l", str(page)).splitlines()
    return ["".join(line.split()) for line in lines if line.strip()]


def text_of(data: bytes) -> str:
    return "".join(page_texts(data))


def fonts_of(data: bytes) -> list[list[str]]:
    lines = _run("pdffonts", data).splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def pages_of(data: bytes) -> int:
    info = _run("pdfinfo", data)
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def assert_fonts_embedded_and_subset(data: bytes) -> None:
    fonts = fonts_of(data)
    assert fonts
    for row in fonts:
        assert (row[-5], row[-4]) == ("yes", "yes"), row  # emb, sub
    assert any("CJK" in row[0] for row in fonts)


def finish_sanping_session(session, leader, member, third):
    """From the evaluation stage (tests/sanping/conftest.py `evaluating_session`) to a
    record submitted for review: mutual evaluations, notes, summary, comments, items."""
    from meetings import services as meeting_services
    from sanping import services
    from sanping.models import SanpingSession

    services.mutual_evaluation_add(session=session, by=member, evaluatee=leader, problems="张评李：对组员关心不够", suggestions="多谈心谈话")
    services.mutual_evaluation_add(session=session, by=third, evaluatee=member, problems="赵评张：有时推诿")
    services.mutual_evaluation_add(session=session, by=leader, evaluatee=third, problems="李评赵：发言准备不足")
    for slot in session.slots.order_by("position"):
        services.speaker_set(session=session, by=leader, slot=slot)
        slot.refresh_from_db()
        services.slot_notes_save(slot=slot, by=leader, notes=f"组长记下{slot.member.name}的发言", version=slot.notes_version)
    session = services.session_advance(session=session, by=leader)
    session = services.summary_save(session=session, by=leader, achievements="肯定成绩：准备认真", shortcomings="指出不足：避重就轻",
                                    next_steps="下一步：逐条落实", version=session.version)
    for person in (leader, member, third):
        services.comment_save(session=session, by=leader, member=person, text=f"组长点评{person.name}")
    session = services.session_advance(session=session, by=leader)
    deadline = timezone.localdate(session.meeting.starts_at) + datetime.timedelta(days=30)
    for person in (leader, member, third):
        services.rectification_add(session=session, by=leader, member=person, problem=f"{person.name}的整改问题",
                                   measure=f"{person.name}的整改措施", deadline=deadline)
    meeting = services.session_finish(session=session, by=leader)
    meeting = meeting_services.minutes_save(meeting=meeting, by=leader, version=meeting.version,
                                            minutes="会议按“三评”程序进行", summary="会议达到了预期目的")
    meeting_services.meeting_submit(meeting=meeting, by=leader)
    return SanpingSession.objects.select_related("meeting").get(pk=session.pk)
