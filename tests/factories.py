import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Branch, Member, PartyGroup

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    name = factory.Sequence(lambda n: f"第{n + 1}党支部")


class PartyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyGroup

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"第{n + 1}党小组")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(PartyGroupFactory)
    branch = factory.LazyAttribute(lambda m: m.group.branch if m.group else BranchFactory())
    number = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Iterator(["张明", "李华", "王芳", "赵磊", "陈静", "刘洋", "孙浩", "周婷", "吴昊", "郑丽"])
    department = factory.Iterator(["办公室", "综合处", "人事处"])
    position = "科员"


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting of a group, by default scheduled for a week from now, with no agenda
    or attendance rows: use meetings.services.meeting_create for the real thing."""

    class Meta:
        model = "meetings.Meeting"

    group = factory.SubFactory(PartyGroupFactory)
    kind = "group_meeting"
    title = factory.Sequence(lambda n: f"党小组会议{n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(hours=2))
    place = "三楼会议室"
    chair = factory.LazyAttribute(lambda m: m.group.leader or MemberFactory(group=m.group))
    created_by = factory.LazyAttribute(lambda m: m.chair)
    state = "scheduled"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.AgendaItem"

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"议题{n + 1}")
    category = "study"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Attendance"

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(MemberFactory)
    status = "unmarked"


class ThoughtReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.ThoughtReport"

    member = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"思想汇报{n + 1}")
    content = "近期学习体会……"
    state = "submitted"
    submitted_at = factory.LazyFunction(timezone.now)
