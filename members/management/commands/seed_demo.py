from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from members import demo
from members.models import Branch, Member, PartyGroup
from members.services import group_leader_set, member_upsert


class Command(BaseCommand):
    help = "Create the demo branch, its groups and members. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--sign-ins", action="store_true", help="Only print the demo sign-ins.")

    def handle(self, *args, **options):
        if options["sign_ins"]:
            self.print_sign_ins()
        else:
            self.seed()

    def print_sign_ins(self) -> None:
        self.stdout.write(f"  Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, description in demo.sign_ins():
            self.stdout.write(f"    {username:<15} {description}")
        self.stdout.write(f"    {demo.ADMIN_USERNAME:<15} administrator (/admin/)")

    @transaction.atomic
    def seed(self) -> None:
        branch, _ = Branch.objects.get_or_create(
            name=demo.BRANCH_NAME, defaults={"short_name": demo.BRANCH_SHORT_NAME}
        )
        created_count = 0
        for position, (group_name, people) in enumerate(demo.GROUPS, start=1):
            group, _ = PartyGroup.objects.get_or_create(branch=branch, name=group_name, defaults={"position": position})
            leader = None
            for number, name, pinyin, gender, department, title, status, birth, joined, role in people:
                joined_on = demo.parse_date(joined)
                member, created = member_upsert(
                    branch=branch,
                    group=group,
                    number=number,
                    name=name,
                    username=pinyin,
                    password=demo.DEMO_PASSWORD,
                    email=f"{pinyin}@example.org",
                    gender=gender,
                    department=department,
                    position=title,
                    status=status,
                    birth_date=demo.parse_date(birth),
                    joined_party_on=joined_on,
                    full_member_on=demo.full_member_date(joined_on) if status == Member.Status.FULL else None,
                    phone=f"138{int(number[2:]):08d}",
                    branch_role=role if role in {"secretary", "committee"} else "",
                )
                created_count += created
                if role == "leader":
                    leader = member
            group_leader_set(group=group, leader=leader)

        # A year of meetings and thought reports, so that every page has something real to show.
        from meetings.demo import seed_meetings

        meetings_created = seed_meetings(branch)

        User = get_user_model()
        if not User.objects.filter(username=demo.ADMIN_USERNAME).exists():
            User.objects.create_superuser(demo.ADMIN_USERNAME, "admin@example.org", demo.DEMO_PASSWORD)
            created_count += 1
        self.stdout.write(f"seed_demo: {created_count} accounts and {meetings_created} meetings and reports created.")
