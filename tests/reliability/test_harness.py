"""The harness itself: a worker started by the tests takes tasks from Redis, and the
SMTP server receives what Django's SMTP backend sends."""

import pytest
from django.core.mail import get_connection, send_mail

pytestmark = pytest.mark.services


def test_a_started_worker_answers_a_ping_through_redis(start_worker, broker):
    start_worker()
    assert broker.send_task("sanping.tasks.task_ping").get(timeout=30) == "pong"


def test_the_smtp_server_receives_retries_and_refuses_as_told(smtp_server):
    backend = "django.core.mail.backends.smtp.EmailBackend"

    def send(to):
        connection = get_connection(backend, host="127.0.0.1", port=smtp_server.port, timeout=5)
        return send_mail("提醒：思想汇报", "正文", "sanping@localhost", [to], connection=connection)

    smtp_server.fail_next("451", "drop")
    with pytest.raises(OSError):
        send("a@example.org")
    with pytest.raises(OSError):
        send("a@example.org")
    assert send("a@example.org") == 1
    assert smtp_server.count_by_recipient_and_subject() == {("a@example.org", "提醒：思想汇报"): 1}
    assert smtp_server.refused == 2
