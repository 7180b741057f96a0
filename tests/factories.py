import factory
from django.contrib.auth import get_user_model

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
