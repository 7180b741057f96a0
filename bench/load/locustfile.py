"""The load test's people (locust 2.47): run by bench/load/run.sh, which documents the phases.

The mix (the default user classes):
- MemberUser: reads the home page, the 三评 session page and the group's latest meeting,
  writes the draft self-evaluation (the autosave an htmx form posts while one types),
  and polls the live block as the open session page does every 3 s;
- LeaderUser: the chair console of the group's upcoming 三评, the home page, the meeting;
- SecretaryUser: the cadence dashboard, the review queue, a record to review, home;
- PdfUser (exactly one): one PDF export a minute, the meeting record and the 三评 record
  in turn.
Everyone signs in first through the sign-in form (GET for the CSRF token, then POST).

HammerUser (PAGE=healthz|home|meeting|dashboard) requests one page without pause, to
measure the most requests per second the stack serves of it. Name the classes of a phase
on the command line: `MemberUser LeaderUser SecretaryUser PdfUser`, or `HammerUser`.

The personas and their pages come from TARGETS (bench/load/targets.py's JSON).
"""

import itertools
import json
import os
import re

from locust import FastHttpUser, between, constant, constant_pacing, task

TARGETS = json.load(open(os.environ.get("TARGETS", os.path.join(os.path.dirname(__file__), "out", "targets.json"))))
PASSWORD = TARGETS["password"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
HTMX = {"HX-Request": "true"}
POLL = {"HX-Request": "true", "X-Poll": "1"}
TEXTS = [
    "理论学习不够系统深入，满足于完成规定学习任务，学用结合不够紧密。",
    "联系群众不够紧密，深入基层调研少，对群众反映的问题跟进不够及时。",
    "工作中有畏难情绪，遇到复杂问题时主动担当不够。",
]


def sign_in(user: FastHttpUser, username: str) -> None:
    """As a browser does: the form (for its CSRF token), then the post; 302 is success."""
    page = user.client.get("/accounts/sign-in/", name="sign-in (GET)")
    token = CSRF.search(page.text).group(1)
    with user.client.post(
        "/accounts/sign-in/", name="sign-in (POST)", allow_redirects=False, catch_response=True,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in of {username} answered {response.status_code}")


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    people: list = []
    counter = None

    def on_start(self) -> None:
        self.person = self.people[next(self.counter) % len(self.people)]
        sign_in(self, self.person["username"])

    def page(self, url: str, name: str, **kwargs):
        return self.client.get(url, name=name, **kwargs)


class MemberUser(SignedIn):
    weight = 7
    people = TARGETS["members"]
    counter = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        self.session_url = f"/sanping/{self.person['session']}/"
        self.open_session_page()
        self.typed = 0

    def open_session_page(self) -> None:
        page = self.page(self.session_url, "三评 session page")
        version, token = VERSION.search(page.text), CSRF.search(page.text)
        self.version = int(version.group(1)) if version else None
        self.token = token.group(1) if token else None

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def session_page(self) -> None:
        self.open_session_page()

    @task(1)
    def meeting(self) -> None:
        self.page(f"/meetings/{self.person['meeting']}/", "meeting page")

    @task(4)
    def live_poll(self) -> None:
        self.page(f"{self.session_url}live/?stage=1&slot=0", "三评 live poll", headers=POLL)

    @task(4)
    def autosave(self) -> None:
        if self.version is None:
            return
        self.typed += 1
        text = TEXTS[self.typed % len(TEXTS)] * (1 + self.typed % 4)
        with self.client.post(
            f"{self.session_url}self-evaluation/", name="三评 autosave (POST)", headers=HTMX, catch_response=True,
            data={"problems": text, "causes": TEXTS[0], "direction": "", "version": self.version,
                  "csrfmiddlewaretoken": self.token},
        ) as response:
            saved = VERSION.search(response.text or "")
            if response.status_code == 200 and saved:
                self.version = int(saved.group(1))
            else:
                response.failure(f"autosave answered {response.status_code}: {(response.text or '')[:100]}")
                self.open_session_page()


class LeaderUser(SignedIn):
    weight = 2
    people = TARGETS["leaders"]
    counter = itertools.count()

    @task(3)
    def console(self) -> None:
        self.page(f"/sanping/{self.person['session']}/console/", "三评 console")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def meeting(self) -> None:
        self.page(f"/meetings/{self.person['meeting']}/", "meeting page")


class SecretaryUser(SignedIn):
    weight = 1
    people = TARGETS["secretaries"]
    counter = itertools.count()

    @task(2)
    def dashboard(self) -> None:
        self.page("/cadence/", "cadence dashboard")

    @task(2)
    def review_queue(self) -> None:
        self.page("/review/", "review queue")

    @task(1)
    def record_to_review(self) -> None:
        self.page(f"/meetings/{self.person['review']}/", "meeting page")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")


class PdfUser(SignedIn):
    """One PDF a minute, whatever the number of users."""

    fixed_count = 1
    wait_time = constant_pacing(60)
    people = TARGETS["secretaries"][::-1]
    counter = itertools.count()
    exports = itertools.count()

    @task
    def export(self) -> None:
        if TARGETS["sanping_pdf"] and self.person["sanping"] and next(self.exports) % 2:
            url, name = TARGETS["sanping_pdf"].format(self.person["sanping"]), "三评 record PDF"
        else:
            url, name = TARGETS["meeting_pdf"].format(self.person["approved"]), "meeting record PDF"
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code == 200 and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")


class HammerUser(FastHttpUser):
    """Requests one page (PAGE) as fast as the server answers."""

    wait_time = constant(0)
    counter = itertools.count()

    def on_start(self) -> None:
        self.page_name = os.environ.get("PAGE", "healthz")
        if self.page_name == "healthz":
            self.url = "/healthz"
            return
        kind = "secretaries" if self.page_name == "dashboard" else "members"
        self.person = TARGETS[kind][next(self.counter) % len(TARGETS[kind])]
        self.url = {"home": "/", "meeting": f"/meetings/{self.person.get('meeting')}/", "dashboard": "/cadence/"}[self.page_name]
        sign_in(self, self.person["username"])

    @task
    def hammer(self) -> None:
        self.client.get(self.url, name=self.page_name)
