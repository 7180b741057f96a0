"""Playwright drives Debian's Chromium (/usr/bin/chromium) against the live server.

Playwright's own browser download cannot work on our machines, so the browser is
launched by its executable path. A failing test leaves a screenshot under
test-results/ (pytest.ini: --screenshot only-on-failure).
"""

import os
import shutil

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; the tests only use the
# ORM to set up data before the browser acts, which is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        require_service("Chromium is not installed (make test installs it: apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the form, as a person would."""

    def do(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/sign-in/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


@pytest.fixture
def serialized_server(live_server):
    """Requests to the live server take turns (yielding the lock for the test's own ORM
    writes). With SQLite, the live server's threads and the test share one in-memory
    database connection, which answers "table is locked" to overlapping statements
    while pages poll; PostgreSQL (CI) has no such limit and the pages do not rely on it."""
    import threading

    lock = threading.Lock()
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def serial(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(serial)
    yield lock
    httpd.set_app(app)


@pytest.fixture(autouse=True)
def close_every_browser_context(request):
    """Close the contexts a test opened itself (one per person's device): their pages
    poll the live server and must not go on doing so into the next tests."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture(autouse=True)
def no_content_security_policy_violation(request, monkeypatch):
    """Chromium enforces the Content Security Policy and reports each refusal on the
    console ("Refused to apply inline style because it violates ..."): any such report,
    on any page of any context the test opens, fails the test."""
    if not {"page", "browser", "context"} & set(request.fixturenames):
        yield
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []

    def watch(context):
        context.on("console", lambda message: violations.append(f"{message.location.get('url', '')}: {message.text}")
                   if "Content Security Policy" in message.text else None)
        return context

    new_context, new_page = browser.new_context, browser.new_page
    monkeypatch.setattr(browser, "new_context", lambda *args, **kwargs: watch(new_context(*args, **kwargs)))

    def watched_page(*args, **kwargs):
        page = new_page(*args, **kwargs)
        watch(page.context)
        return page

    monkeypatch.setattr(browser, "new_page", watched_page)
    yield
    if violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(violations), pytrace=False)
