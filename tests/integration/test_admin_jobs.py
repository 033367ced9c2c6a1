"""/admin/jobs (administrators see every task and retry failed ones) and /tasks/<id>
(an owner reads their own task's progress)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from microblog import jobs
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.role import Role
from microblog.models.task import Task, TaskState
from tests.jobs_tasks import flaky, runs
from tests.pages import alerts, parse


def add_task(*, user=None, state=TaskState.FAILED, error="ConnectionRefusedError: no",
             args=("unused", 0), attempts=4, description="Sending a letter", minutes_ago=1):
    started = utcnow() - timedelta(minutes=minutes_ago)
    task = Task(id=str(uuid4()), name="tests.jobs_tasks:flaky", description=description,
                user_id=user.id if user else None, args=list(args), state=state,
                error=error, attempts=attempts, max_attempts=4, created_at=started,
                started_at=started, finished_at=started + timedelta(seconds=2.5))
    db.session.add(task)
    db.session.commit()
    return task.id


def table(client) -> dict[str, dict]:
    response = client.get("/admin/jobs")
    assert response.status_code == 200
    found = {}
    for row in parse(response).find("table", cls="jobs").find_all("tr", cls="job"):
        cells = list(row.find_all("td"))
        found[row.attrs["data-task"]] = {  # "task": the description, then the function
            "task": cells[0].text, "state": cells[1].text, "user": cells[2].text,
            "duration": cells[4].text, "attempts": cells[5].text, "error": cells[6].text,
            "buttons": [button.text for button in cells[7].find_all("button")],
        }
    return found


# --- the list -----------------------------------------------------------------------------


def test_an_admin_sees_recent_tasks_newest_first_and_may_retry_failed_ones(
        client, admin, make_user):
    susan = make_user("susan")
    failed = add_task(user=susan, minutes_ago=2)
    finished = add_task(state=TaskState.FINISHED, error=None, attempts=1,
                        description="Email “Hello” to tom@example.com")
    client.login("ada")

    rows = table(client)

    assert list(rows) == [finished, failed]
    assert rows[failed] == {
        "task": "Sending a letterflaky", "state": "Failed", "user": "susan",
        "duration": "2.5 s", "attempts": "4", "error": "ConnectionRefusedError: no",
        "buttons": ["Retry"],
    }
    assert rows[finished]["user"] == "the site"
    assert rows[finished]["state"] == "Finished" and rows[finished]["buttons"] == []


def test_retrying_a_failed_task_runs_it_again(client, admin, tmp_path):
    log = tmp_path / "runs"
    task_id = add_task(args=(str(log), 0))
    client.login("ada")

    response = client.submit(f"/admin/jobs/{task_id}/retry", follow_redirects=True)

    assert response.status_code == 200
    assert alerts(parse(response)) == ["Sending a letter is queued again."]
    assert jobs.queue_of(client.application).wait_until_idle(20)
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert (task.state, task.attempts, task.max_attempts, task.error) == (
        TaskState.FINISHED, 5, 8, None)
    assert runs(log) == ["run"]


def test_only_a_failed_task_can_be_retried(client, admin):
    task_id = add_task(state=TaskState.RUNNING, error=None)
    client.login("ada")

    response = client.submit(f"/admin/jobs/{task_id}/retry")

    assert response.status_code == 422
    assert alerts(parse(response)) == ["Only a failed task can be retried."]
    assert db.session.get(Task, task_id).state is TaskState.RUNNING


def test_retrying_needs_the_csrf_token(client, admin):
    task_id = add_task()
    client.login("ada")

    response = client.post(f"/admin/jobs/{task_id}/retry")

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Task, task_id).state is TaskState.FAILED


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_others_may_neither_see_nor_retry(client, make_user, role):
    task_id = add_task()
    make_user("moe", role=role)
    client.login("moe")

    assert client.get("/admin/jobs").status_code == 403
    assert client.submit(f"/admin/jobs/{task_id}/retry").status_code == 403
    db.session.expire_all()
    assert db.session.get(Task, task_id).state is TaskState.FAILED


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/jobs")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_unknown_task_is_a_404(client, admin):
    client.login("ada")
    assert client.submit(f"/admin/jobs/{uuid4()}/retry").status_code == 404
    assert client.submit("/admin/jobs/not-an-id/retry").status_code == 404


def test_the_list_is_paginated(app, client, admin):
    app.config["TASKS_PER_PAGE"] = 2
    ids = [add_task(minutes_ago=minutes) for minutes in (1, 2, 3)]
    client.login("ada")

    assert list(table(client)) == ids[:2]
    second = parse(client.get("/admin/jobs?page=2"))
    assert [row.attrs["data-task"] for row in second.find_all("tr", cls="job")] == ids[2:]


def test_the_list_costs_the_same_queries_however_many_owners(client, admin, make_user,
                                                             count_queries):
    client.login("ada")
    add_task(user=make_user("user0"))
    client.get("/admin/jobs")
    with count_queries() as few:
        client.get("/admin/jobs")
    for number in range(1, 8):
        add_task(user=make_user(f"user{number}"))
    with count_queries() as many:
        page = client.get("/admin/jobs")

    assert page.get_data(as_text=True).count('class="job"') == 8
    assert len(many) == len(few)


# --- an owner's task, as JSON -------------------------------------------------------------


def test_the_owner_reads_their_tasks_progress(client, make_user, tmp_path):
    susan = make_user("susan")
    with client.application.test_request_context():
        task_id = jobs.enqueue(flaky, str(tmp_path / "runs"), 0, user=susan,
                               description="Exporting your data").id
    assert jobs.queue_of(client.application).wait_until_idle(20)
    client.login("susan")

    response = client.get(f"/tasks/{task_id}", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert {key: body[key] for key in ("id", "description", "state", "progress", "complete",
                                       "error", "message")} == {
        "id": task_id, "description": "Exporting your data", "state": "finished",
        "progress": 100, "complete": True, "error": None, "message": "Done."}


def test_a_failed_task_says_so_to_its_owner(client, make_user):
    susan = make_user("susan")
    task_id = add_task(user=susan)
    client.login("susan")

    body = client.get(f"/tasks/{task_id}").get_json()

    assert (body["state"], body["error"]) == ("failed", "ConnectionRefusedError: no")
    assert body["message"] == "This task failed. An administrator can try it again."


def test_nobody_else_can_read_a_task(client, make_user, admin):
    task_id = add_task(user=make_user("susan"))
    site_task = add_task()

    assert client.get(f"/tasks/{task_id}").status_code == 404  # a visitor
    for name in ("tom", "ada"):  # another member; an admin too (the admin page is theirs)
        if name == "tom":
            make_user("tom")
        client.login(name)
        assert client.get(f"/tasks/{task_id}").status_code == 404
        assert client.get(f"/tasks/{site_task}").status_code == 404
        client.logout()
    client.login("susan")
    assert client.get("/tasks/nonsense").status_code == 404
    assert client.get(f"/tasks/{uuid4()}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 2
