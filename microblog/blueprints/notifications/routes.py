"""``/notifications``: the page of someone's notifications, or (with ``since``) the JSON
the navbar's script polls for, as in the tutorial.

The JSON carries both unread counts, so the badges of messages and notifications stay
current on any open page without a reload (``static/js/notifications.js``), and the
notifications newer than ``since`` (seconds since the epoch), for a page that wants to
show them as they come.
"""

from datetime import UTC, datetime

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog.blueprints.errors.handlers import wants_json
from microblog.blueprints.notifications import bp
from microblog.blueprints.paging import requested_page
from microblog.models.base import utcnow
from microblog.services import notifications


@bp.get("/notifications")
@login_required
def index():
    if "since" in request.args or wants_json():
        return _since()
    page, per_page = requested_page("NOTIFICATIONS_PER_PAGE")
    return render_template("notifications/index.html", title=_("Notifications"),
                           page=notifications.for_user(current_user, page, per_page),
                           describe=notifications.describe, link_of=_link)


def _since():
    since = request.args.get("since", 0.0, type=float)
    try:
        moment = datetime.fromtimestamp(max(since, 0.0), UTC)
    except (OverflowError, OSError, ValueError):  # a number past any date
        moment = utcnow()
    now = utcnow()
    response = jsonify({
        "timestamp": now.timestamp(),
        "unread": {"messages": current_user.unread_message_count,
                   "notifications": current_user.unread_notification_count},
        "notifications": [{
            "id": n.id, "name": n.kind, "data": n.payload, "timestamp": n.timestamp,
            "text": notifications.describe(n, [n.actor] if n.actor else []),
            "url": _link(n),
        } for n in notifications.since(current_user, moment)],
    })
    response.headers["Cache-Control"] = "no-store"
    return response


def _link(notification) -> str:
    endpoint, values = notifications.target(notification, current_user)
    return url_for(endpoint, **values)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    notifications.mark_all_read(current_user)
    if wants_json():
        return jsonify({"unread": {"messages": current_user.unread_message_count,
                                   "notifications": 0}})
    return redirect(url_for("notifications.index"))
