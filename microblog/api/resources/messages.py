"""Private messages: your conversations (the newest first), one conversation's messages
(reading its newest page marks it read, as on the page), and sending one. The
messages service decides who may write to whom."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, url_for

from microblog.api import representations as shown
from microblog.api.auth import token_auth
from microblog.api.schemas import (
    ConversationPage,
    HistoryQuery,
    MessageHistory,
    MessageIn,
    MessageOut,
    PageQuery,
)
from microblog.rate_limits import message_per_user
from microblog.services import accounts, messages

bp = APIBlueprint("api_messages", __name__, url_prefix="/api", tag="Messages")


@bp.get("/conversations")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query")
@bp.output(ConversationPage)
@bp.doc(summary="Your conversations", responses=[401, 404])
def get_conversations(query_data: dict):
    user = token_auth.current_user
    per_page = shown.per_page(query_data.get("per_page"),
                              current_app.config["CONVERSATIONS_PER_PAGE"],
                              current_app.config["API_MAX_PER_PAGE"])
    found = messages.conversations(user, query_data["page"], per_page)
    items = [{
        "id": member.conversation_id, "other": shown.author(member.other_user),
        "unread_count": member.unread_count,
        "last_message": None if member.last_message is None else {
            "id": member.last_message.id, "body_html": member.last_message.body_html,
            "created_at": member.last_message.created_at,
            "sender": shown.author(member.other_user if member.last_message.sender_id
                                   == member.other_user_id else user)},
        "messages": url_for("api_messages.get_messages", conversation_id=member.conversation_id),
    } for member in found.items]
    return shown.collection(found, items)


@bp.get("/conversations/<int:conversation_id>/messages")
@bp.auth_required(token_auth)
@bp.input(HistoryQuery, location="query")
@bp.output(MessageHistory)
@bp.doc(summary="A conversation's messages, oldest first", responses=[401, 404])
def get_messages(conversation_id: int, query_data: dict):
    """The newest page, or the one before message ``before``; another person's
    conversation is a 404."""
    user = token_auth.current_user
    history = messages.history(user, conversation_id, current_app.config["MESSAGES_PER_PAGE"],
                               before=query_data.get("before"))
    people = {user.id: user, history.member.other_user.id: history.member.other_user}
    items = [{"id": m.id, "sender": shown.author(people[m.sender_id]),
              "body_html": m.body_html, "created_at": m.created_at}
             for m in history.messages]
    earlier = None if history.earlier is None else url_for(
        "api_messages.get_messages", conversation_id=conversation_id, before=history.earlier)
    return {"items": items, "earlier": earlier}


@bp.post("/messages")
@message_per_user
@bp.auth_required(token_auth)
@bp.input(MessageIn, location="json")
@bp.output(MessageOut, status_code=201)
@bp.doc(summary="Send a private message", responses=[401, 403, 404, 415, 422])
def send_message(json_data: dict):
    sender = token_auth.current_user
    recipient = accounts.get_user_by_id(json_data["recipient_id"])
    message = messages.send(sender, recipient.username, json_data["body"])
    return {"id": message.id, "sender": shown.author(sender), "body_html": message.body_html,
            "created_at": message.created_at}, 201
