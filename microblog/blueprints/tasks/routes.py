"""``GET /tasks/<id>``: one task's state and progress, as JSON, for its owner.

A page that started a task (an export) polls this to draw its progress bar. The
row is the truth, so the answer is whatever the worker last wrote there. Anyone
else, signed in or not, gets a 404: an id that is not yours is an id that does not
exist.
"""

from flask import jsonify
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.tasks import bp
from microblog.models.task import Task, TaskState
from microblog.services import tasks


@bp.get("/<task_id>")
def task(task_id: str):
    response = jsonify(progress_document(tasks.task_of(current_user, task_id)))
    response.headers["Cache-Control"] = "no-store"  # it changes from one poll to the next
    return response


def progress_document(task: Task) -> dict[str, object]:
    """What the owner's page needs: where it stands, and words to show for it."""
    return {
        "id": task.id,
        "description": task.description,
        "state": task.state.value,
        "state_label": task.state.label,
        "progress": task.progress,
        "complete": task.complete,
        "attempts": task.attempts,
        "error": task.error if task.state is TaskState.FAILED else None,
        "message": _MESSAGES[task.state](),
        "created_at": task.created_at.isoformat(),
        "finished_at": task.finished_at.isoformat() if task.finished_at else None,
    }


_MESSAGES = {
    TaskState.QUEUED: lambda: _("Waiting to start…"),
    TaskState.RUNNING: lambda: _("In progress…"),
    TaskState.FINISHED: lambda: _("Done."),
    TaskState.FAILED: lambda: _("This task failed. An administrator can try it again."),
}
