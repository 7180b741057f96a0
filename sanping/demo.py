"""Demo content of the 三评 sessions of `manage.py seed_demo`: one held session with
everything said in it and its rectification under way, one being prepared."""

import datetime
import random

from django.utils import timezone, translation

from meetings.models import Attendance, Meeting
from members.models import Member

from .models import (
    DEFAULT_METHOD,
    DEFAULT_PURPOSE,
    DEFAULT_REQUIREMENTS,
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    RectificationProgress,
    SanpingSession,
    SelfEvaluation,
    SelfEvaluationVersion,
    SpeakingSlot,
)
from .services import session_ensure

PROBLEMS = [
    "理论学习不够系统深入，满足于完成规定学习任务，学用结合不够紧密。",
    "联系群众不够紧密，深入基层调研少，对群众反映的问题跟进不够及时。",
    "工作中有畏难情绪，遇到复杂问题时主动担当不够。",
    "执行请示报告制度不够严格，个别事项事后才报告。",
    "批评与自我批评开展得不够经常，存在好人主义思想。",
]
CAUSES = ["理想信念的“总开关”拧得不够紧，党性修养有所放松。", "宗旨意识有所淡化，对群众工作重视不够。",
          "思想上存在松劲情绪，创新意识和担当精神不足。"]
DIRECTIONS = ["制定个人学习计划，每周集中学习不少于两小时。", "每月至少深入基层一次，建立问题台账逐项跟进。",
              "严格执行请示报告制度，重要事项事前报告。"]
MUTUALS = ["布置工作后跟进检查不够。", "汇报工作时重点不够突出。", "对年轻同志的传帮带不够。", "开会发言准备不够充分。"]
MEASURES = ["每周集中学习两小时，每月撰写一篇学习体会。", "建立群众意见台账，逐项跟进、按期回复。", "重要事项一律事前请示报告。"]


def fill_held_session(meeting: Meeting, rng: random.Random) -> SanpingSession:
    """A held 三评 session, in the rectification stage, with its whole record."""
    leader = meeting.group.leader or meeting.chair
    with translation.override("zh-hans"):
        session = SanpingSession.objects.create(
            meeting=meeting, stage=SanpingSession.Stage.RECTIFICATION, purpose=str(DEFAULT_PURPOSE),
            method=str(DEFAULT_METHOD), requirements=str(DEFAULT_REQUIREMENTS), opened_at=meeting.starts_at,
            achievements="大家会前准备认真，对照党章党规查摆问题具体，自我剖析比较深刻。",
            shortcomings="个别同志查摆问题避重就轻，批评他人时顾虑较多。",
            next_steps="每位同志对照整改措施逐条落实，下次党小组会通报整改落实情况。",
        )
    attendances = list(meeting.attendances.filter(is_guest=False).select_related("member").order_by("member__number"))
    present = [a.member for a in attendances if a.status == Attendance.Status.PRESENT]
    for attendance in attendances:
        person = attendance.member
        evaluation = SelfEvaluation.objects.create(
            session=session, member=person, problems=rng.choice(PROBLEMS), causes=rng.choice(CAUSES),
            direction=rng.choice(DIRECTIONS), state=SelfEvaluation.State.SUBMITTED,
        )
        version = SelfEvaluationVersion.objects.create(
            evaluation=evaluation, number=1, problems=evaluation.problems, causes=evaluation.causes,
            direction=evaluation.direction, submitted_at=meeting.starts_at - datetime.timedelta(days=2),
        )
        evaluation.presented = version
        evaluation.save(update_fields=["presented"])
    for position, person in enumerate(present, start=1):
        SpeakingSlot.objects.create(session=session, member=person, position=position,
                                    spoke_at=meeting.starts_at + datetime.timedelta(minutes=10 * position),
                                    notes=f"{person.name}对照党章党规查摆了问题，剖析了原因，明确了整改方向。")
        for evaluator in rng.sample([p for p in present if p != person], k=min(2, len(present) - 1)):
            MutualEvaluation.objects.create(session=session, evaluator=evaluator, evaluatee=person,
                                            problems=rng.choice(MUTUALS), suggestions="希望进一步改进。",
                                            created_at=meeting.starts_at + datetime.timedelta(minutes=10 * position + 5))
        LeaderComment.objects.create(session=session, member=person, text="自我剖析比较深刻，要把整改措施落到实处。")
    today = timezone.localdate()
    for index, person in enumerate(present):
        deadline = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=45 + 30 * (index % 4))
        item = RectificationItem.objects.create(
            session=session, member=person, problem=rng.choice(PROBLEMS), measure=rng.choice(MEASURES), deadline=deadline,
            source_self_evaluation=session.self_evaluations.get(member=person),
        )
        if index % 3 == 0 and person != leader:
            item.state, item.evidence = RectificationItem.State.VERIFIED, "已按计划完成，学习笔记已提交党小组。"
            item.done_at = item.verified_at = timezone.now() - datetime.timedelta(days=20)
            item.verified_by = leader
            item.save()
            RectificationProgress.objects.create(item=item, by=person, kind=RectificationProgress.Kind.DONE, note=item.evidence)
            RectificationProgress.objects.create(item=item, by=leader, kind=RectificationProgress.Kind.VERIFIED)
        elif index % 3 == 1 and deadline >= today - datetime.timedelta(days=60):
            item.state, item.evidence, item.done_at = RectificationItem.State.DONE, "已建立台账并逐项跟进。", timezone.now()
            item.save()
            RectificationProgress.objects.create(item=item, by=person, kind=RectificationProgress.Kind.DONE, note=item.evidence)
        else:
            RectificationProgress.objects.create(item=item, by=person, note="已制定计划，正在落实。")
    return session


def prepare_upcoming_session(meeting: Meeting, rng: random.Random) -> SanpingSession:
    """A published 三评 session: some members have submitted, others are still writing."""
    session = session_ensure(meeting)
    for index, evaluation in enumerate(session.self_evaluations.select_related("member").order_by("member__number")):
        evaluation.problems, evaluation.causes = rng.choice(PROBLEMS), rng.choice(CAUSES)
        if index % 2 == 0:
            evaluation.direction, evaluation.state = rng.choice(DIRECTIONS), SelfEvaluation.State.SUBMITTED
            evaluation.save()
            SelfEvaluationVersion.objects.create(evaluation=evaluation, number=1, problems=evaluation.problems,
                                                 causes=evaluation.causes, direction=evaluation.direction)
        else:
            evaluation.save()
    members = list(Member.objects.filter(pk__in=session.self_evaluations.values("member_id")).order_by("number"))
    if len(members) >= 3:
        MutualEvaluation.objects.create(session=session, evaluator=members[1], evaluatee=members[2], in_advance=True,
                                        problems=rng.choice(MUTUALS), suggestions="会前多做准备。")
    return session
