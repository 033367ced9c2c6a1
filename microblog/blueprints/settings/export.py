"""``/settings/export``: download everything you put into the site, as a ZIP of JSON.

The page starts the export (a POST, with the CSRF token), shows how far the latest one
has got (``static/js/task-progress.js`` polls ``/tasks/<id>``; without the script,
each load of the page shows it), and, once it is done, its Download link until it
expires. The rules (one at a time, owner only, a week) are the exports service's.
"""

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.forms import error_summary
from microblog.blueprints.settings import bp
from microblog.errors import ValidationError
from microblog.services import exports


@bp.get("/export")
def export():
    return _page()


@bp.post("/export")
def start_export():
    try:
        exports.start_export(current_user)
    except ValidationError as error:
        return _page(problem=error_summary(error), status=422)
    flash(_("Your export has started. We will email you a link when it is ready."), "info")
    return redirect(url_for("settings.export"))


@bp.get("/export/<task_id>/download")
def export_download(task_id: str):
    exported = exports.export_file(current_user, task_id)
    response = send_file(exported.file, mimetype="application/zip", as_attachment=True,
                         download_name=exported.download_name)
    response.content_length = exported.size
    # Someone's private messages: never kept by a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page(problem: str | None = None, status: int = 200):
    return render_template(
        "settings/export.html", title=_("Export your data"),
        export=exports.latest_export(current_user), lifetime_days=exports.EXPORT_LIFETIME.days,
        problem=problem,
    ), status
