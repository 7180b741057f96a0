"""Property-based fuzzing of every form (hypothesis).

Every POST row of the authorization matrix (tests/url_matrix.py) is posted, as the
first persona the table allows, with random and hostile input: very long text, control
characters (NUL included: PostgreSQL refuses it in text), HTML and <script>, SQL-looking
text, impossible dates, unknown, negative and huge ids, unicode of every plane. Each
example starts from the row's valid data and replaces some fields, so that the deeper
paths (the services) are reached too. No answer may be a 500 (the test client re-raises
the view's exception), and no page may echo a <script> it was sent.

The field names come from the forms themselves: the site's pages are read once and
every form posting to a URL gives its inputs' names. tests/test_hostile_posts.py posts
one fixed set of junk to every URL; this goes wider and deeper.
"""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Meeting
from sanping import services as sanping_services
from sanping.models import MutualEvaluation, SelfEvaluation

from .test_authorization_matrix import fetch, media_root, persona_users, world  # noqa: F401 (fixtures)
from .url_matrix import PERSONAS, ROWS, expected_statuses

SCRIPT = '<script>alert("fuzz")</script>'
ATTRIBUTE = '"><img src=x onerror=alert("fuzz")>'
RAW = ('<script>alert("fuzz")', '<img src=x onerror')

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\r\n\t", "\x1b[31m", "\x7f\x08", "\ufeff", "\u202e反向", "\u200b", "𠜎𡃁𤓓", "👨‍👩‍👧",
    SCRIPT, ATTRIBUTE, "<b>粗</b>", "{{ request }}", "{% debug %}", "%(name)s", "%s%s%s",
    "'; DROP TABLE meetings_meeting;--", "' OR '1'='1", "1; SELECT pg_sleep(10)", "\\", "../../etc/passwd",
    "-1", "0", "00", "1.5", "1e309", "NaN", "inf", "99999999999999999999999", "9223372036854775808", "٣", "１２",
    "2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "2026-13-01", "25:99", "yesterday", "2026/1/1",
    "https://evil.example/", "//evil.example", "javascript:alert(1)", "/\x00/", "/%0d%0aSet-Cookie:x=1",
    "字" * 20_001, "x" * 100_000, "a\n" * 5_000,
]

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.builds(lambda a, b: a + SCRIPT + b, st.text(max_size=20), st.text(max_size=20)),
)
value = st.one_of(text, st.lists(text, min_size=0, max_size=4))

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Fields every form may meet whatever the page shows (names posted by scripts, by hand).
EXTRA_FIELDS = ["next", "version", "mode", "action", "member", "evaluator", "evaluatee", "pk", "id", "csrfmiddlewaretoken"]
ALLOWED = {200, 204, 302, 400, 409}


def poster(row) -> str:
    """The first persona the table lets through this row."""
    return next(p for i, p in enumerate(PERSONAS) if row.cells[i] != "L" and row.expect(p) & ALLOWED)


POST_ROWS = [row for row in ROWS if row.method == "POST"]


# The forms of the site, read from its pages ---------------------------------------------------


class FormFields(HTMLParser):
    """The input names of each form (or hx-post element), by the URL it posts to."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.stack: list[str | None] = []
        self.fields: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        target = attributes.get("hx-post")
        if target is None and tag == "form" and (attributes.get("method") or "").lower() == "post":
            target = attributes.get("action") or self.page_url
        if tag == "form" or target is not None:
            self.stack.append(target if target is not None else (self.stack[-1] if self.stack else None))
            if tag not in ("form",) and target is not None:
                self.stack.pop()  # an hx-post on a single element posts its own value
                self._add(target, attributes.get("name"))
            return
        if tag in ("input", "textarea", "select", "button") and attributes.get("name"):
            owner = next((t for t in reversed(self.stack) if t), None)
            if owner:
                self._add(owner, attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self.stack:
            self.stack.pop()

    def _add(self, target: str, name: str | None):
        if not name:
            return
        try:
            view = resolve(urlsplit(target).path).view_name
        except Resolver404:
            return
        # The rectification item form is prefixed with its member's id: m<id>-problem.
        self.fields.setdefault(view, set()).add(re.sub(r"^m\d+-", "m{member}-", name))


FIELDS: dict[str, set[str]] = {}


def form_fields(client, users, world) -> dict[str, set[str]]:  # noqa: F811
    """Read every page of the matrix once (as each persona it shows 200 to) and keep the
    names of the fields each form posts; the same for the whole session."""
    if FIELDS:
        return FIELDS
    for _persona, url, response in pages_shown(client, users, world):
        if response.get("Content-Type", "").startswith("text/html"):
            parser = FormFields(url)
            parser.feed(response.content.decode())
            for view, names in parser.fields.items():
                FIELDS.setdefault(view, set()).update(names)
    return FIELDS


def pages_shown(client, users, world):  # noqa: F811
    """Every page of the matrix as each persona it shows 200 to: (persona, url, response)."""
    for row in ROWS:
        if row.method != "GET":
            continue
        url = row.url(world)
        for persona in PERSONAS:
            if 200 in row.expect(persona):
                yield persona, url, fetch(client, users[persona], row, url)


def field_names(row, world, fields) -> list[str]:  # noqa: F811
    names = set(fields.get(row.name, set())) | {key for key, _value in row.data} | set(EXTRA_FIELDS)
    return sorted(name.format(member=world.pk("member")) for name in names)


def check(response, where: str):
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        for raw in RAW:
            assert raw not in body, f"{where}: the page echoes {raw!r} unescaped"


def test_the_pages_give_the_fields_of_the_forms(client, personas, world):  # noqa: F811
    fields = form_fields(client, persona_users(personas), world)
    assert {"evaluatee", "problems", "suggestions"} <= fields["sanping:mutual_add"]
    assert {"notes", "version"} <= fields["sanping:slot_notes"]
    assert {"reason"} <= fields["meetings:cancel"]
    assert {"minutes", "summary", "version"} <= fields["meetings:minutes"], sorted(fields)


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda row: row.id)
def test_no_form_answers_a_500_nor_echoes_a_script(client, personas, world, row):  # noqa: F811
    users = persona_users(personas)
    persona = poster(row)
    url = row.url(world)
    names = field_names(row, world, form_fields(client, users, world))

    posted = []

    @FUZZ
    @given(data=st.data())
    def post(data):
        posted.append(1)
        chosen = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(6, len(names))), label="fields")
        payload = row.post_data(world) | {name: data.draw(value, label=name) for name in chosen}
        if row.name == "roster_import":
            payload["file"] = SimpleUploadedFile("roster.xlsx", data.draw(st.binary(max_size=2000), label="file"))
        htmx = data.draw(st.booleans(), label="htmx")
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        with transaction.atomic():
            client.logout()
            if users[persona] is not None:
                client.force_login(users[persona])
            response = client.post(url, payload, **headers)
            check(response, f"POST {url} as {persona}")
            if response.status_code == 302 and response["Location"].startswith("/"):
                check(client.get(response["Location"]), f"GET {response['Location']} after POST {url}")
            transaction.set_rollback(True)

    post()
    assert len(posted) >= 20


# Stored hostile text is shown escaped everywhere, PDFs included -------------------------------


def test_stored_hostile_text_is_escaped_on_every_page_and_in_the_pdfs(client, personas, world, leader, member):  # noqa: F811
    """Text with a <script> and an attribute breakout, stored through the services in
    every kind of record, then every page of the matrix read by every persona."""
    from meetings import services as meeting_services
    from meetings.pdf import render_meeting_html
    from sanping.pdf import render_sanping_html

    hostile = f"问题{SCRIPT}{ATTRIBUTE}"
    session = world.objects["session"]
    held = world.objects["held_meeting"]
    meeting_services.minutes_save(meeting=held, by=leader, version=held.version, minutes=hostile, summary=hostile)
    sanping_services.slot_notes_save(slot=world.objects["slot"], by=leader, notes=hostile,
                                     version=world.objects["slot"].notes_version)
    MutualEvaluation.objects.filter(pk=world.pk("mutual")).update(problems=hostile, suggestions=hostile)
    SelfEvaluation.objects.filter(session=session).update(problems=hostile)
    for version in session.self_evaluations.exclude(presented=None).values_list("presented", flat=True):
        type(SelfEvaluation.objects.first().presented).objects.filter(pk=version).update(problems=hostile)
    world.objects["item"].__class__.objects.filter(pk=world.pk("item")).update(problem=hostile, measure=hostile)
    world.objects["report"].__class__.objects.filter(pk=world.pk("report")).update(title=hostile, content=hostile)
    Meeting.objects.filter(pk=world.pk("meeting")).update(title=hostile[:200], place=hostile[:200])
    member.__class__.objects.filter(pk=member.pk).update(department=hostile[:100])

    users = persona_users(personas)
    problems, shown = [], 0
    for persona, url, response in pages_shown(client, users, world):
        # HTML only: the iCalendar feeds are plain text, escaped as iCalendar wants.
        body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/html") else ""
        problems += [f"{persona} {url}: {raw}" for raw in RAW if raw in body]
        shown += "&lt;script&gt;alert(" in body
    for html in (render_meeting_html(Meeting.objects.get(pk=held.pk)), render_sanping_html(session, full=True)):
        problems += [f"PDF: {raw}" for raw in RAW if raw in html]
        assert "&lt;script&gt;alert(" in html
    assert not problems, "\n".join(problems)
    assert shown > 30  # the text was there to see, escaped, on that many page views


# NUL, field by field ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda row: row.id)
def test_a_nul_character_in_any_field_is_refused_not_a_500(client, personas, world, row):  # noqa: F811
    """PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"): Django's
    form fields refuse it with a message, but a value read from request.POST directly
    reaches the database unless the view or service cleans it. Each field in turn, on
    top of the row's valid data, so that the NUL is what the view meets."""
    users = persona_users(personas)
    persona = poster(row)
    url = row.url(world)
    for name in field_names(row, world, form_fields(client, users, world)):
        response = fetch(client, users[persona], row, url, data=row.post_data(world) | {name: "坏\x00字"})
        check(response, f"POST {url} {name}=NUL as {persona}")
