"""Background tasks: start an export of your data, follow its progress, download the
ZIP (the exports service keeps it for its owner alone, for a week)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import send_file, url_for

from microblog.api import representations as shown
from microblog.api.auth import token_auth
from microblog.api.schemas import TaskOut
from microblog.services import exports, tasks

bp = APIBlueprint("api_tasks", __name__, url_prefix="/api", tag="Tasks")


def _task(task) -> dict:
    download = url_for("api_tasks.download", task_id=task.id) if task.complete and \
        task.name == exports.EXPORT_TASK else None
    return shown.task(task, download)


@bp.post("/me/export")
@bp.auth_required(token_auth)
@bp.output(TaskOut, status_code=202)
@bp.doc(summary="Start an export of your data", responses=[401, 409])
def start_export():
    """One at a time: another while one runs is a 409."""
    task = exports.start_export(token_auth.current_user)
    return _task(task), 202, {"Location": url_for("api_tasks.get_task", task_id=task.id)}


@bp.get("/tasks/<task_id>")
@bp.auth_required(token_auth)
@bp.output(TaskOut)
@bp.doc(summary="A task's progress", responses=[401, 404])
def get_task(task_id: str):
    """Yours only: anyone else's is a 404."""
    return _task(tasks.task_of(token_auth.current_user, task_id))


@bp.get("/tasks/<task_id>/download")
@bp.auth_required(token_auth)
@bp.doc(summary="Download a finished export (a ZIP)", responses=[401, 404])
@bp.output({}, content_type="application/zip", description="The ZIP of your data")
def download(task_id: str):
    exported = exports.export_file(token_auth.current_user, task_id)
    response = send_file(exported.file, mimetype="application/zip", as_attachment=True,
                         download_name=exported.download_name)
    response.content_length = exported.size
    response.headers["Cache-Control"] = "private, no-store"
    return response
