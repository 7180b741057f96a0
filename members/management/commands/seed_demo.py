from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from members import demo
from members.models import Branch, Member, PartyGroup
from members.services import group_leader_set, member_upsert


class Command(BaseCommand):
    help = (
        "Create the demo branch, its groups and members. Running it again changes nothing. "
        "--scale large adds 20 branches, 2,000 groups and 20,000 members with three years of records "
        "(sanping/demo_large.py): a few minutes on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sign-ins", action="store_true", help="Only print the demo sign-ins.")
        parser.add_argument(
            "--scale", choices=["small", "large"], default="small",
            help="small (default): one branch of three groups; large: that branch and the large dataset too.",
        )

    def handle(self, *args, **options):
        if options["sign_ins"]:
            self.print_sign_ins()
            if options["scale"] == "large":
                self.print_large_sign_ins()
            return
        self.seed()
        if options["scale"] == "large":
            self.seed_large()

    def seed_large(self) -> None:
        from sanping import demo_large

        scale = demo_large.LARGE
        self.stdout.write(
            f"seed_demo --scale large: {scale.branches} branches of {scale.groups} groups of {scale.members} members, "
            f"{scale.months + 1} months of records..."
        )
        report = demo_large.seed_large(scale, log=self.stdout.write)
        if not report.created_branches:
            self.stdout.write(
                f"seed_demo --scale large: the {report.skipped_branches} branches are already there; nothing changed. "
                "Their dates stay those of the day they were made: drop the database to build them again."
            )
            return
        self.stdout.write(
            f"seed_demo --scale large: {report.created_branches} branches created "
            f"({report.skipped_branches} already there), {report.total_rows:,} rows in {report.seconds:.0f} s:"
        )
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"    {label:<32} {count:>9,}")
        self.print_large_sign_ins()

    def print_large_sign_ins(self) -> None:
        from sanping import demo_large

        self.stdout.write(f"  Large dataset sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        self.stdout.write(f"    {demo_large.username(1, 1, 3):<15} member of group 1 of branch 1 (bBBgGGGmMM)")
        self.stdout.write(f"    {demo_large.leader_username(1, 1):<15} its group leader (member 01 of each group)")
        self.stdout.write(f"    {demo_large.secretary_username(1):<15} secretary of branch 1 (member 02 of group 1)")
        self.stdout.write(f"    {demo_large.committee_usernames(1)[0]:<15} committee member (member 02 of groups 2 and 3)")

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
