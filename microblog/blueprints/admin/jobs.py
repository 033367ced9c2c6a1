"""The background jobs page at /admin/jobs: recent tasks, and retrying a failed one.

The list reads the ``tasks`` rows, never Redis: a job's truth is its row, whichever
queue ran it. Administrators only.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.admin import bp
from microblog.blueprints.decorators import admin_required
from microblog.blueprints.forms import error_summary
from microblog.blueprints.paging import requested_page
from microblog.errors import ValidationError
from microblog.services import tasks


@bp.get("/jobs")
@admin_required
def jobs():
    return jobs_page()


@bp.post("/jobs/<task_id>/retry")
@admin_required
def retry_job(task_id: str):
    try:
        task = tasks.retry(current_user, task_id)
    except ValidationError as error:
        flash(error_summary(error), "danger")
        return jobs_page(422)
    flash(_("%(task)s is queued again.", task=task.description), "success")
    return redirect(url_for("admin.jobs"))


def jobs_page(status: int = 200):
    page = tasks.recent(current_user, *requested_page("TASKS_PER_PAGE"))
    return render_template("admin/jobs.html", title=_("Background jobs"), page=page), status
