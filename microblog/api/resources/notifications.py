"""Notifications: a page of your notification groups (newest first), or with ``since``
the events after a moment (oldest first, what a poller has not seen yet); marking them
all read. The words are the notifications service's (``describe``), in your language."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from microblog.api import representations as shown
from microblog.api.auth import token_auth
from microblog.api.schemas import NotificationPage, NotificationsQuery
from microblog.pagination import Page
from microblog.services import notifications

bp = APIBlueprint("api_notifications", __name__, url_prefix="/api", tag="Notifications")


def _group(group: notifications.Shown) -> dict:
    notification = group.notification
    return {"id": notification.id, "kind": notification.kind,
            "text": notifications.describe(notification, group.actors, group.others),
            "created_at": notification.created_at, "read": notification.read_at is not None,
            "count": notification.group_count}


@bp.get("/notifications")
@bp.auth_required(token_auth)
@bp.input(NotificationsQuery, location="query")
@bp.output(NotificationPage)
@bp.doc(summary="Your notifications", responses=[401, 404])
def get_notifications(query_data: dict):
    user = token_auth.current_user
    per_page = shown.per_page(query_data.get("per_page"),
                              current_app.config["NOTIFICATIONS_PER_PAGE"],
                              current_app.config["API_MAX_PER_PAGE"])
    if query_data.get("since") is not None:
        events = notifications.since(user, query_data["since"], per_page)
        items = [{"id": n.id, "kind": n.kind, "text": notifications.describe(n),
                  "created_at": n.created_at, "read": n.read_at is not None, "count": 1}
                 for n in events]
        found = Page(items=events, page=1, per_page=per_page, has_next=False)
    else:
        found = notifications.for_user(user, query_data["page"], per_page)
        items = [_group(group) for group in found.items]
    return {**shown.collection(found, items), "unread": user.unread_notification_count}


@bp.post("/notifications/read")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Mark all your notifications read", responses=[401])
def mark_read():
    notifications.mark_all_read(token_auth.current_user)
    return "", 204
