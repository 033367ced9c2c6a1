"""Request ids, the one-line-per-request log, and the audit trail in the production log file.

Records are read the way an operator reads them: with pytest's ``caplog`` for
the fields, and from the production log file for what is really written.
"""

from __future__ import annotations

import json
import re

import pytest

from microblog import create_app

HTTPS = "https://microblog.example"
NEW_ID = re.compile(r"[0-9a-f]{32}")


def request_lines(caplog) -> list:
    return [record for record in caplog.records if record.name == "microblog.request"]


def json_log(tmp_path) -> list[dict]:
    """Every line of the production log file, each parsed as the JSON object it must be."""
    lines = (tmp_path / "logs" / "microblog.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_response_gets_a_new_request_id(client):
    first = client.get("/explore").headers["X-Request-ID"]
    second = client.get("/explore").headers["X-Request-ID"]

    assert NEW_ID.fullmatch(first)
    assert NEW_ID.fullmatch(second)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/explore", headers={"X-Request-ID": "lb-7f3a.9_c-01"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.9_c-01"


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 129, "two words", "<script>alert(1)</script>", "id;drop", "ünïcödé"],
)
def test_an_unsafe_incoming_request_id_is_replaced_not_echoed(client, caplog, incoming):
    caplog.set_level("INFO", logger="microblog.request")
    response = client.get("/explore", headers={"X-Request-ID": incoming})

    returned = response.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(returned)
    (line,) = request_lines(caplog)
    assert line.request_id == returned
    assert incoming not in caplog.text or incoming == ""


def test_each_request_is_logged_once_with_who_what_and_how_long(client, make_user, caplog):
    susan = make_user("susan")
    client.login("susan")
    caplog.set_level("INFO", logger="microblog.request")
    caplog.clear()

    response = client.get("/explore?page=1", headers={"X-Request-ID": "req-42"})

    assert response.status_code == 200
    (line,) = request_lines(caplog)
    assert line.method == "GET"
    assert line.path == "/explore"
    assert line.status == 200
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert line.user_id == susan.id
    assert line.request_id == "req-42"
    assert line.remote_addr == "127.0.0.1"
    assert line.getMessage().startswith("GET /explore 200 ")
    assert f"user={susan.id}" in line.getMessage()


def test_an_anonymous_request_is_logged_without_a_user(client, caplog):
    caplog.set_level("INFO", logger="microblog.request")
    client.get("/no-such-page")

    (line,) = request_lines(caplog)
    assert (line.status, line.user_id) == (404, None)


def test_logging_the_user_never_costs_a_query(client, make_user, caplog, count_queries):
    """A static file never asks who is logged in, so the log does not look it up either."""
    make_user("susan")
    client.login("susan")
    caplog.set_level("INFO", logger="microblog.request")
    caplog.clear()

    with count_queries() as statements:
        response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert statements == []
    (line,) = request_lines(caplog)
    assert (line.path, line.user_id) == ("/static/css/app.css", None)


def test_audit_records_carry_the_request_id(client, make_user, caplog):
    make_user("susan")
    caplog.set_level("INFO", logger="microblog.audit")

    response = client.login("susan", "wrong password")

    assert response.status_code == 422
    (failure,) = [r for r in caplog.records if r.name == "microblog.audit"
                  and r.audit["event"] == "login.failure"]
    assert failure.audit["request_id"] == response.headers["X-Request-ID"]
    assert failure.audit["ip"] == "127.0.0.1"


def test_production_writes_the_request_line_as_json(production_app, tmp_path):
    response = production_app().test_client().get(
        "/explore", headers={"X-Request-ID": "req-json-1", "X-Forwarded-For": "203.0.113.7"}
    )

    (line,) = [entry for entry in json_log(tmp_path) if entry["logger"] == "microblog.request"]
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/explore"
    assert line["status"] == response.status_code == 200
    assert line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert line["request_id"] == "req-json-1"
    assert line["remote_addr"] == "127.0.0.1", "not a trusted proxy: X-Forwarded-For is ignored"
    assert line["time"].endswith("+00:00")


def test_production_writes_audit_records_as_json_with_their_fields(
    production_app, make_user, tmp_path
):
    make_user("susan")
    browser = production_app().test_client()
    page = browser.get("/auth/login", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    response = browser.post(
        "/auth/login", base_url=HTTPS, headers={"Referer": f"{HTTPS}/auth/login"},
        data={"csrf_token": token, "username": "susan", "password": "not her password"},
    )

    assert response.status_code == 422
    (audit,) = [entry for entry in json_log(tmp_path) if entry["logger"] == "microblog.audit"]
    assert audit["audit"]["event"] == "login.failure"
    assert audit["audit"]["request_id"] == response.headers["X-Request-ID"]
    assert audit["audit"]["ip"] == "127.0.0.1"
    assert audit["request_id"] == response.headers["X-Request-ID"]
    assert audit["message"].startswith("audit event=login.failure")


def test_a_crash_is_logged_once_with_its_traceback_and_request_id(production_app, tmp_path,
                                                                  caplog):
    prod = production_app()

    @prod.get("/boom")
    def boom():
        raise RuntimeError("the flux capacitor failed")

    response = prod.test_client().get("/boom")

    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert len([r for r in caplog.records if r.exc_info]) == 1
    entries = json_log(tmp_path)
    (crash,) = [entry for entry in entries if "exception" in entry]
    assert crash["level"] == "ERROR"
    assert "RuntimeError: the flux capacitor failed" in crash["exception"]
    assert "Traceback (most recent call last)" in crash["exception"]
    assert crash["request_id"] == request_id
    (line,) = [entry for entry in entries if entry["logger"] == "microblog.request"]
    assert (line["status"], line["request_id"]) == (500, request_id)


def test_text_format_is_one_readable_line(production_app, tmp_path):
    production_app(LOG_FORMAT="text").test_client().get("/explore")

    text = (tmp_path / "logs" / "microblog.log").read_text(encoding="utf-8")
    assert re.search(r"INFO microblog\.request: GET /explore 200 [\d.]+ms user=None "
                     r"ip=127\.0\.0\.1 id=[0-9a-f]{32}", text)
    assert not text.startswith("{")


def test_an_unknown_log_format_is_refused_at_start():
    with pytest.raises(RuntimeError, match=r"LOG_FORMAT='xml' is not one of text, json"):
        create_app("testing", {"LOG_FORMAT": "xml"})
