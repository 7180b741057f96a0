"""PDF records, laid out like the paper forms that get printed, signed and filed:
the meeting record (党小组会议记录) here; the 三评 record in sanping/pdf.py; the
yearly ledger in meetings/ledger.py. All share the helpers below.

The forms are Chinese whatever the reader's language (their labels are written in
the templates under templates/*/pdf/). WeasyPrint embeds a subset of the system's
Noto CJK font, asked for by name; without one installed the export refuses with a
message naming the package, rather than printing boxes.
"""

import contextlib
import functools
import gc
import logging
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .models import Attendance, Meeting
from .selectors import attendance_counts, meeting_record, member_or_404

# The families the stylesheet asks for, in order; one of them must be installed.
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")

# WeasyPrint announces each step and each page laid out at INFO, and the project's
# root logger prints INFO: keep those lines for the ledger's progress handler alone.
_weasyprint_progress = logging.getLogger("weasyprint.progress")
_weasyprint_progress.propagate = False
_weasyprint_progress.setLevel(logging.INFO)


class PdfFontMissing(Exception):
    """No CJK font: the PDF would print boxes instead of Chinese."""


@functools.lru_cache(maxsize=1)
def installed_cjk_family() -> str | None:
    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    families = {name.strip() for line in listing.splitlines() for name in line.split(",")}
    return next((family for family in CJK_FAMILIES if family in families), None)


def require_cjk_font() -> str:
    family = installed_cjk_family()
    if family is None:
        raise PdfFontMissing(
            _("No Chinese font is installed, so the PDF cannot be made. Ask the administrator to install the "
              "package fonts-noto-cjk (apt-get install fonts-noto-cjk).")
        )
    return family


def render_html(template: str, context: dict) -> str:
    """A PDF template rendered in Chinese, with the CJK font family filled in
    (raises PdfFontMissing first when there is none)."""
    family = require_cjk_font()
    with translation.override("zh-hans"):
        return render_to_string(template, {**context, "font_family": family})


@contextlib.contextmanager
def collector_paused():
    """WeasyPrint allocates some hundred thousand objects per document, which sets off
    Python's cycle collector over and over, each time walking every object of the
    process (some 170,000 in a Django worker): pausing it while a PDF is made saves
    about a tenth of the time. What the document left behind is collected afterwards
    as usual (bench/pdf_render.py checks that memory stays put over 200 records)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def layout(html: str):
    """The HTML laid out by WeasyPrint into pages (a weasyprint.Document)."""
    from weasyprint import HTML

    return HTML(string=html).render()


def html_to_pdf(html: str) -> bytes:
    """The HTML as PDF: A4 pages, fonts embedded as subsets."""
    with collector_paused():
        return layout(html).write_pdf()


@dataclass
class People:
    """Who was at a meeting, sorted for the form (guests apart, not counted)."""

    present: list[str] = field(default_factory=list)
    leave: list[Attendance] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    guests: list[Attendance] = field(default_factory=list)


def attendance_lists(meeting: Meeting) -> People:
    """From the attendance rows prefetched by `meeting_record`."""
    people = People()
    for row in meeting.attendances.all():
        if row.is_guest:
            people.guests.append(row)
        elif row.status == Attendance.Status.PRESENT:
            people.present.append(row.member.name)
        elif row.status == Attendance.Status.LEAVE:
            people.leave.append(row)
        elif row.status == Attendance.Status.ABSENT:
            people.absent.append(row.member.name)
        else:
            people.unmarked.append(row.member.name)
    return people


def meeting_context(meeting: Meeting, *, loaded: bool = False) -> dict:
    """What the meeting record's template needs: six queries, whatever its size, or
    none when the meeting is `loaded` already (read through `selectors.with_records`)."""
    record = meeting if loaded else meeting_record(meeting)
    return {
        "meeting": record,
        "counts": attendance_counts(record),
        "people": attendance_lists(record),
        "draft": record.state != Meeting.State.APPROVED,
    }


def render_meeting_html(meeting: Meeting) -> str:
    return render_html("meetings/pdf/record.html", meeting_context(meeting))


def render_meeting_pdf(meeting: Meeting) -> bytes:
    """The meeting record as PDF bytes, in Chinese whatever the reader's language; a
    record not yet approved carries the mark 草稿 / 未审核 on every page."""
    return html_to_pdf(render_meeting_html(meeting))


def filename_for(meeting: Meeting, suffix: str = "") -> str:
    """The download's name: the meeting's local date and id, e.g. 20261105-42.pdf."""
    return f"{timezone.localdate(meeting.starts_at):%Y%m%d}-{meeting.pk}{suffix}.pdf"


def export_response(request: HttpRequest, make: Callable[[], bytes], *, meeting: Meeting, suffix: str = "",
                    back: str, action: str, target: models.Model, **detail) -> HttpResponse:
    """A record's PDF shown inline, named by `filename_for`, its export logged (`action`,
    `target`, `detail`); without a Chinese font, back to the URL `back` with the message
    naming the package. The views of the meeting record and the 三评 record answer with it."""
    try:
        pdf = make()
    except PdfFontMissing as error:
        messages.error(request, str(error))
        return redirect(back)
    audit.record(actor=member_or_404(request.user), action=action, target=target, **detail)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename_for(meeting, suffix)}"'
    return response
