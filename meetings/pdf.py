"""Meeting records as PDF (党小组会议记录), laid out like the paper form that gets
printed, signed and filed. WeasyPrint embeds a subset of the system's Noto CJK font;
without one installed the export refuses with a message naming the package, rather
than printing boxes."""

import functools
import shutil
import subprocess

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Meeting
from .selectors import attendance_counts, meeting_record

# The families the stylesheet asks for, in order; one of them must be installed.
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


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


def render_meeting_pdf(meeting: Meeting) -> bytes:
    """The meeting record as PDF bytes, in Chinese whatever the reader's language; a
    record not yet approved carries the mark 草稿 / 未审核 on every page."""
    from weasyprint import HTML

    family = require_cjk_font()
    record = meeting_record(meeting)
    with translation.override("zh-hans"):
        html = render_to_string("meetings/pdf/record.html", {
            "meeting": record,
            "counts": attendance_counts(record),
            "attendances": list(record.attendances.all()),
            "draft": record.state != Meeting.State.APPROVED,
            "font_family": family,
        })
    return HTML(string=html).write_pdf()
