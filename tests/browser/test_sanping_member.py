"""A member, on a phone, prepares for a 三评 session: writes the self-evaluation (saved as
they type), submits it, withdraws it to change it and submits it again; sends a
colleague an opinion in advance; and follows the session live without losing what is typed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import AgendaEntry
from sanping import services
from sanping.models import MutualEvaluation, SelfEvaluation
from tests.factories import PASSWORD, MemberFactory
from tests.sanping.conftest import make_today, write_and_submit

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(leader, member):
    MemberFactory(group=leader.group, name="赵第三", department="人事处", user__username="third")
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
    meeting = meeting_services.meeting_create(
        by=leader, group=leader.group, kind=Meeting.Kind.SANPING, title="党小组“三评”会", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="三楼党员活动室", chair=leader, recorder=None,
        agenda=[AgendaEntry("开展“三评”", "criticism")], publish=True,
    )
    return meeting.sanping


def material_of(session, member) -> SelfEvaluation:
    return SelfEvaluation.objects.get(session=session, member=member)


def test_a_member_prepares_the_self_evaluation_on_a_phone(page, live_server, sign_in, session, member):
    page.set_viewport_size(PHONE)
    sign_in("member", PASSWORD)
    page.goto(f"{live_server.url}/sanping/{session.pk}/")
    expect(page.get_by_test_id("session-title")).to_have_text("党小组“三评”会")
    expect(page.locator('[aria-current="step"]')).to_contain_text("会前准备")

    # Typing is saved on its own.
    page.get_by_test_id("self-problems").fill("理论学习不够系统，满足于完成规定动作。")
    expect(page.get_by_test_id("save-status")).to_contain_text("已保存")
    assert material_of(session, member).problems == "理论学习不够系统，满足于完成规定动作。"

    # A blank part is refused, and what was typed stays.
    page.get_by_test_id("self-causes").fill("对理论学习的重要性认识不足。")
    page.get_by_test_id("self-submit").click()
    expect(page.get_by_text("提交前请明确整改方向")).to_be_visible()
    expect(page.get_by_test_id("self-causes")).to_have_value("对理论学习的重要性认识不足。")

    page.get_by_test_id("self-direction").fill("每周集中学习两小时。")
    page.get_by_test_id("self-submit").click()  # straight after typing: the submit saves it
    expect(page.get_by_test_id("self-evaluation-state")).to_have_text("已提交")
    expect(page.get_by_test_id("self-evaluation-text")).to_contain_text("每周集中学习两小时。")
    assert material_of(session, member).state == SelfEvaluation.State.SUBMITTED

    # Withdraw, change, submit again: a second version.
    page.get_by_test_id("self-withdraw").click()
    expect(page.get_by_text("已撤回")).to_be_visible()
    page.get_by_test_id("self-direction").fill("每周集中学习两小时，每月撰写一篇学习体会。")
    expect(page.get_by_test_id("save-status")).to_contain_text("已保存")
    page.get_by_test_id("self-submit").click()
    expect(page.get_by_test_id("self-evaluation-state")).to_have_text("已提交")
    material = material_of(session, member)
    assert material.state == SelfEvaluation.State.SUBMITTED and material.versions.count() == 2
    assert material.versions.last().direction == "每周集中学习两小时，每月撰写一篇学习体会。"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/sanping-member-submitted-phone.png", full_page=True)


def test_a_member_sends_a_colleague_an_opinion_in_advance(page, live_server, sign_in, session, member):
    page.set_viewport_size(PHONE)
    sign_in("member", PASSWORD)
    page.goto(f"{live_server.url}/sanping/{session.pk}/")
    form = page.get_by_test_id("mutual-form-advance")

    # Nothing written: refused with a message, the chosen colleague kept.
    form.get_by_label("同志").select_option(label="赵第三（人事处）")
    form.get_by_role("button", name="提出意见").click()
    expect(page.get_by_test_id("mutual-form-advance").get_by_text("请填写指出的问题和不足")).to_be_visible()

    form = page.get_by_test_id("mutual-form-advance")
    form.get_by_test_id("mutual-problems").fill("汇报工作时重点不够突出。")
    form.get_by_test_id("mutual-suggestions").fill("汇报前多做准备。")
    form.get_by_role("button", name="提出意见").click()
    expect(page.get_by_test_id("mutual-saved")).to_contain_text("赵第三")
    expect(page.get_by_test_id("mutual-sent")).to_contain_text("汇报工作时重点不够突出。")
    expect(page.get_by_test_id("mutual-form-advance").get_by_test_id("mutual-problems")).to_have_value("")
    opinion = MutualEvaluation.objects.get()
    assert opinion.in_advance and opinion.evaluator == member and opinion.evaluatee.name == "赵第三"

    # Still there after a reload, and nothing comes back into the emptied form.
    page.reload()
    expect(page.get_by_test_id("mutual-sent")).to_contain_text("汇报工作时重点不够突出。")
    expect(page.get_by_test_id("mutual-form-advance").get_by_test_id("mutual-problems")).to_have_value("")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/sanping-member-opinion-phone.png", full_page=True)


def test_the_page_follows_the_session_without_losing_what_is_typed(page, live_server, sign_in, session, leader, member):
    write_and_submit(session, leader, "组长的自评材料")
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    people = [a.member for a in session.meeting.attendances.filter(is_guest=False).select_related("member")]
    for person in people:
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status="present")
    services.speaking_order_set(session=session, by=leader, member_ids=[leader.pk, member.pk] + [
        p.pk for p in people if p.pk not in (leader.pk, member.pk)])
    session = services.session_advance(session=session, by=leader)

    page.set_viewport_size(PHONE)
    sign_in("member", PASSWORD)
    page.goto(f"{live_server.url}/sanping/{session.pk}/")
    expect(page.get_by_test_id("current-speaker")).to_contain_text("李组长")
    expect(page.get_by_test_id("speaker")).to_contain_text("组长的自评材料")
    form = page.get_by_test_id(f"mutual-form-{leader.pk}")
    form.get_by_test_id("mutual-problems").fill("对组员思想动态关心不够。")

    # The leader gives the floor to the next speaker: the page says so within a poll.
    services.speaker_set(session=session, by=leader, slot=session.slots.get(member=member))
    expect(page.get_by_test_id("live-notice")).to_contain_text("现在轮到张党员发言", timeout=8000)
    expect(page.get_by_test_id("order-current")).to_contain_text("张党员")
    # Refreshing now would hide the unsent text: the page asks first (declined here).
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("live-notice").get_by_role("link").click()
    expect(form.get_by_test_id("mutual-problems")).to_have_value("对组员思想动态关心不够。")

    form.get_by_role("button", name="提交我的评议").click()
    expect(page.get_by_test_id("mutual-saved")).to_be_visible()
    recorded = MutualEvaluation.objects.get()
    assert recorded.evaluatee == leader and recorded.evaluator == member
    page.get_by_test_id("live-notice").get_by_role("link").click()
    expect(page.get_by_test_id("you-speak")).to_be_visible()
