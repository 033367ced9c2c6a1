"""Sending a message, the list of conversations, and one conversation.

``/send_message/<recipient>`` is the tutorial's address: the profile's "Send private
message" button leads there, and a conversation's reply box posts there too, so
every message goes through one view, one rate limit and one service function
(``services.messages.send``). Its refusals (yourself, nobody, a disabled or
unconfirmed account, a block) are the page's error, with the words typed kept.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog import rate_limits
from microblog.blueprints.forms import show_service_error
from microblog.blueprints.messages import bp
from microblog.blueprints.messages.forms import MessageForm
from microblog.blueprints.paging import requested_page
from microblog.errors import Blocked, PermissionDenied, ValidationError
from microblog.integers import whole_number
from microblog.services import blocks, messages
from microblog.services.accounts import get_user


@bp.route("/send_message/<recipient>", methods=["GET", "POST"])
@login_required
@rate_limits.message_per_user
def send_message(recipient: str):
    form = MessageForm()
    if request.method == "GET":
        other = messages.recipient_for(current_user, recipient)  # else a page that says why
        return render_template("messages/send_message.html", title=_("Send message"),
                               form=form, recipient=other)
    status = 422
    if form.validate_on_submit():
        try:
            sent = messages.send(current_user, recipient, form.message.data)
        except ValidationError as error:
            show_service_error(form, error)
        except PermissionDenied as error:  # a block, or an account that cannot receive
            form.form_errors.append(error.message)
            status = 403
        else:
            flash(_("Your message has been sent."), "success")
            return redirect(url_for("messages.conversation",
                                    conversation_id=sent.conversation_id,
                                    _anchor=f"message-{sent.id}"))
    conversation_id = request.form.get("conversation", type=whole_number)
    if conversation_id:  # the reply box of a conversation: shown again there
        return render_conversation(conversation_id, form, status)
    return render_template("messages/send_message.html", title=_("Send message"), form=form,
                           recipient=get_user(recipient)), status


@bp.get("/messages")
@login_required
def index():
    page, per_page = requested_page("CONVERSATIONS_PER_PAGE")
    return render_template("messages/index.html", title=_("Messages"),
                           page=messages.conversations(current_user, page, per_page))


@bp.get("/messages/<int:conversation_id>")
@login_required
def conversation(conversation_id: int):
    return render_conversation(conversation_id, MessageForm())


def render_conversation(conversation_id: int, form: MessageForm, status: int = 200):
    """One conversation's page: a page of its history and the reply box (or, across a
    block, the reason there is none)."""
    before = request.args.get("before", type=whole_number)
    shown = messages.history(current_user, conversation_id,
                             current_app.config["MESSAGES_PER_PAGE"], before)
    other = shown.member.other_user
    refusal, may_unblock = None, False
    try:
        messages.require_may_write(current_user, other)
    except Blocked as error:
        refusal, may_unblock = error.message, blocks.is_blocked(current_user, other)
    except PermissionDenied as error:  # they cannot receive messages (now)
        refusal = error.message
    return render_template("messages/conversation.html",
                           title=_("Conversation with %(username)s", username=other.username),
                           history=shown, other=other, form=form, refusal=refusal,
                           may_unblock=may_unblock), status
