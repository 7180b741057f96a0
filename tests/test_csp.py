"""The Content Security Policy holds on every page: the header is there, and no page
carries anything it would refuse (inline <script> or <style>, style="" attributes,
on* handlers, javascript: links). Every GET row of the authorization matrix is fetched
as each persona, as a full page and as an htmx fragment; error pages are checked too."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from .test_authorization_matrix import fetch, media_root, persona_users, world  # noqa: F401 (fixtures)
from .url_matrix import PERSONAS, ROWS

# Scripts of these types are data, not code: CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        position = "line %d" % self.getpos()[0]
        if tag == "script":
            if not attributes.get("src") and attributes.get("type", "").lower() not in DATA_SCRIPT_TYPES:
                self.found.append(f"inline <script> at {position}")
        elif tag == "style":
            self.found.append(f"inline <style> at {position}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}> at {position}')
            elif name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name} handler on <{tag}> at {position}")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}=javascript: on <{tag}> at {position}")


def inline_content(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_what_the_policy_refuses():
    html = ('<script>alert(1)</script><script src="/static/a.js"></script><script type="application/json">{}</script>'
            '<style>p{}</style><p style="width: 5%" onclick="x()"><a href="javascript:x()">x</a></p>')
    assert len(inline_content(html)) == 5


def check_response(response, where: str) -> list[str]:
    problems = []
    if "Content-Security-Policy" not in response:
        problems.append(f"{where}: no Content-Security-Policy header")
    if response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
        problems += [f"{where}: {item}" for item in inline_content(response.content.decode())]
    return problems


GET_ROWS = [row for row in ROWS if row.method == "GET"]


@pytest.mark.parametrize("row", GET_ROWS, ids=lambda row: row.id)
def test_no_page_carries_what_the_policy_refuses(client, personas, world, row):  # noqa: F811
    users = persona_users(personas)
    url = row.url(world)
    problems = []
    for persona in PERSONAS:
        for htmx in (False, True):
            response = fetch(client, users[persona], row, url, world, htmx=htmx)
            problems += check_response(response, f"{persona}{' (htmx)' if htmx else ''} {url} [{response.status_code}]")
    assert not problems, "\n".join(problems)


def test_the_console_parts_and_the_error_pages_carry_nothing_inline(client, world, leader, member):  # noqa: F811
    session = world.objects["session"]
    client.force_login(leader.user)
    console = reverse("sanping:console", args=[session.pk])
    problems = []
    for url, params in [(console, {"part": "mutual", "member": leader.pk}), (console, {"part": "order"}),
                        (reverse("sanping:live", args=[session.pk]), {"stage": 1, "slot": 0}),
                        ("/no-such-page/", {})]:
        response = client.get(url, params, HTTP_HX_REQUEST="true")
        problems += check_response(response, f"{url}?{params}")
    client.force_login(member.user)
    response = client.get(console)  # a plain member: the 403 page
    assert response.status_code == 403
    problems += check_response(response, "403 page")
    assert not problems, "\n".join(problems)


def test_the_admin_keeps_scripts_to_self_and_allows_inline_styles_only_there(client, staff, member):
    client.force_login(staff)
    for url in [reverse("admin:index"), reverse("admin:meetings_auditevent_changelist"),
                reverse("admin:members_member_changelist"), reverse("admin:members_member_change", args=[member.pk]),
                reverse("admin:members_member_history", args=[member.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy + ";" and "style-src 'self' 'unsafe-inline'" in policy, (url, policy)
        inline_scripts = [item for item in inline_content(response.content.decode()) if "<script>" in item or "handler" in item]
        assert not inline_scripts, (url, inline_scripts)
    client.force_login(member.user)
    assert "unsafe-inline" not in client.get(reverse("home"))["Content-Security-Policy"]
