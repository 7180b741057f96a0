"""Issue 6's "done means", as a new user would: the branch secretary opens an approved
三评 session and downloads its PDF record, then the group's yearly ledger; both read
back in Chinese. (Celery runs eagerly in tests: the ledger is built during the request.)"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.services import meeting_approve
from tests.factories import PASSWORD
from tests.pdf_support import assert_fonts_embedded_and_subset, finish_sanping_session, needs_pdf_tools, page_texts
from tests.sanping.conftest import evaluating_session, opened_session, sanping_meeting, session, third  # noqa: F401

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_pdf_tools]


@pytest.fixture
def approved_session(evaluating_session, leader, member, third, secretary, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    finished = finish_sanping_session(evaluating_session, leader, member, third)
    meeting_approve(meeting=finished.meeting, by=secretary)
    return finished


def download(page, test_id) -> bytes:
    with page.expect_download() as info:
        page.get_by_test_id(test_id).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_the_secretary_downloads_the_sanping_record_and_the_yearly_ledger(page, live_server, serialized_server, sign_in,
                                                                          approved_session, leader, member, third, secretary):
    sign_in("secretary", PASSWORD)
    # The 三评 sessions of the branch, the session, its whole record.
    page.locator("a.nav-link").get_by_text("三评", exact=True).click()
    page.get_by_role("link", name=approved_session.meeting.title).click()
    page.get_by_role("link", name="完整记录").click()
    expect(page.get_by_test_id("record-pdf")).to_be_visible()

    full = download(page, "pdf-full")
    assert full.startswith(b"%PDF")
    text = "".join(page_texts(full))
    for expected in ("党小组“三评”会议记录", "全本", leader.name, member.name, third.name, "赵评张：有时推诿",
                     f"组长点评{member.name}", "张党员的整改措施", "审核通过"):
        assert expected in text, expected
    assert "草稿" not in text
    assert_fonts_embedded_and_subset(full)
    circulation = "".join(page_texts(download(page, "pdf-circulation")))
    assert "传阅本" in circulation and "赵评张：有时推诿" not in circulation

    # The group's yearly ledger, from the cadence dashboard.
    page.goto(f"{live_server.url}/cadence/")
    page.get_by_test_id("group-row").filter(has_text=leader.group.name).get_by_test_id("ledger-link").click()
    year = timezone.localdate().year
    expect(page.get_by_test_id("ledger-status")).to_have_attribute("data-status", "none")
    page.get_by_test_id("ledger-build").click()
    expect(page.get_by_test_id("ledger-status")).to_have_attribute("data-status", "done")
    ledger = download(page, "ledger-download")
    pages = page_texts(ledger)
    assert f"{year}年度党小组工作台账" in pages[0] and leader.group.name in pages[0]
    assert "目录" in pages[1]
    text = "".join(pages)
    assert "组织生活落实情况" in text and approved_session.meeting.title in text and "赵评张：有时推诿" in text
    assert "思想汇报登记" in text
    assert_fonts_embedded_and_subset(ledger)

    # On a phone the ledger page still offers the download.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("ledger-download")).to_be_visible()
