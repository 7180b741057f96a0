from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_healthz_answers_ok_to_anyone_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert (response.status_code, response.content, len(queries)) == (200, b"ok", 0)
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
