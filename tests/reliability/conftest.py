"""The reliability harness: real Celery workers in their own processes, taking tasks
from a real Redis, writing to the PostgreSQL test database, and sending email by SMTP
to a server on a thread of this process (smtp.py).

Nothing here runs eagerly: the tests publish task messages to Redis as beat would,
and look only at what a person would notice, the messages the SMTP server received
and the Notification rows.

Needs PostgreSQL (DATABASE_URL; a worker is another process, so it cannot see an
SQLite database in memory) and Redis (REDIS_URL; the harness uses database 7 of that
server, flushed before each test). Without them the tests skip, or fail under
REQUIRE_SERVICES=1 as in CI. A failing test prints its workers' logs;
RELIABILITY_WORKER_LOGS=1 prints them always.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.conftest import require_service

from .smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_DB = 7
QUEUES = "celery"


def wait_until(condition, *, timeout: float = 60, interval: float = 0.1, what: str = "the condition"):
    """Poll `condition` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout} s for {what}")
        time.sleep(interval)


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        require_service("the reliability tests need Redis: set REDIS_URL (they use its database 7)")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@pytest.fixture
def redis_url():
    """Database 7 of the Redis server of REDIS_URL, emptied: the broker and result
    store of this test's workers, and of no one else."""
    if connection.vendor != "postgresql":
        require_service(
            "the reliability tests need PostgreSQL (DATABASE_URL): their Celery workers are "
            "other processes and cannot see an SQLite database in memory"
        )
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as error:
        require_service(f"Redis at {url} does not answer ({error})")
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_url):
    """A Celery client of this test's Redis: sends task messages by name, as beat does."""
    from celery import Celery

    app = Celery("reliability-client", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    yield app
    app.close()


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pool_pids(self) -> list[int]:
        """The prefork pool's processes (the main process's children)."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        except FileNotFoundError:
            return []
        return [int(pid) for pid in children]

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to acknowledge, reject or clean up."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.pid, signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def worker_env(redis_url, smtp_server, transactional_db):
    """The environment of a worker or a management command run by the tests: the
    test database (committed data: transactional_db), this test's Redis database and
    SMTP server, and the worker settings (settings_worker.py)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reliability.settings_worker",
        "RELIABILITY_DATABASE_NAME": connection.settings_dict["NAME"],
        "REDIS_URL": redis_url,
        "RELIABILITY_SMTP_PORT": str(smtp_server.port),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


@pytest.fixture
def manage(worker_env):
    """Run a management command in its own process, as a person at the server would."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=worker_env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    return run


@pytest.fixture
def start_worker(worker_env, tmp_path, request):
    """Start a real Celery worker (`celery -A sanping worker`) on the test database,
    this test's Redis database and SMTP server; wait until it consumes. Every worker is
    stopped at teardown, before pytest-django empties the database."""
    env = worker_env
    workers: list[Worker] = []

    def start(*, pool: str = "solo", concurrency: int = 1) -> Worker:
        name = f"reliability{len(workers) + 1}-{uuid.uuid4().hex[:6]}@%h"
        log = tmp_path / f"worker{len(workers) + 1}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(CELERY), "-A", "sanping", "worker",
                    f"--pool={pool}", f"--concurrency={concurrency}", f"--hostname={name}",
                    "-Q", QUEUES, "--without-heartbeat", "--without-gossip", "--without-mingle",
                    "--loglevel=INFO",
                ],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches the pool too
            )
        worker = Worker(name=name, process=process, log=log)
        workers.append(worker)

        def ready():
            if process.poll() is not None:
                raise AssertionError(f"The worker exited with {process.returncode}:\n{worker.output()}")
            return " ready." in worker.output()

        wait_until(ready, timeout=90, what=f"worker {name} to be ready")
        return worker

    yield start

    for worker in workers:
        worker.stop()
    call = getattr(request.node, "rep_call", None)
    if (call is not None and call.failed) or os.environ.get("RELIABILITY_WORKER_LOGS") == "1":
        for worker in workers:
            print(f"\n----- log of worker {worker.name} -----\n{worker.output()[-20000:]}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def wait_quiet(redis_client):
    """Wait until no task is waiting, running or held for a retry: every queue in Redis
    is empty and no message is out unacknowledged (with acks_late a running task's
    message is acknowledged only after it returned, and a task that enqueues others
    does so before that), for a second in a row."""

    def pending() -> int:
        queued = sum(redis_client.llen(key) for key in redis_client.scan_iter() if redis_client.type(key) == b"list")
        return queued + redis_client.hlen("unacked")

    def wait(timeout: float = 90) -> None:
        quiet_since = None

        def quiet():
            nonlocal quiet_since
            if pending():
                quiet_since = None
                return False
            quiet_since = quiet_since or time.monotonic()
            return time.monotonic() - quiet_since >= 1

        wait_until(quiet, timeout=timeout, what="the task queues to empty")

    return wait
