"""Views of the uploads blueprint.

``/uploads/new`` takes a picture for an article. The editor's script
(``static/js/image-upload.js``) sends it with ``fetch`` and asks for JSON: the
picture's address and the Markdown to insert. Without scripts the same form opens
this page in a new tab, which shows the picture and the Markdown to copy.
``/uploads/avatar`` takes a picture for the account (the form is on
``/settings/avatar``). ``/uploads/<name>`` serves a stored picture, to anyone, for
a year: its name is its content's hash, so it can never change.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge, UnprocessableEntity

from microblog import images, rate_limits
from microblog.blueprints.errors.handlers import error_response, wants_json
from microblog.blueprints.forms import error_summary, form_status, show_service_error
from microblog.blueprints.uploads import bp
from microblog.blueprints.uploads.forms import AvatarForm, ImageForm
from microblog.errors import ValidationError
from microblog.middleware.body_limits import body_limit
from microblog.services import uploads
from microblog.storage import storage

A_YEAR = 60 * 60 * 24 * 365
STORED_NAME = re.compile(r"^(?P<hash>[0-9a-f]{64})\.(?P<extension>jpg|png|webp)$")
ALT_TEXT_MAX_LENGTH = 100
# Characters that would end the alt text or the Markdown around it early.
NOT_IN_ALT_TEXT = re.compile(r"[\[\]\\()<>\x00-\x1f\x7f]+")


@bp.get("/<name>")
def image(name: str):
    """A stored picture, as we encoded it. Only names we could have made are looked up."""
    match = STORED_NAME.match(name)
    if match is None:
        abort(404)
    try:
        file = storage().open(name)
    except FileNotFoundError:
        abort(404)
    response = send_file(file, mimetype=images.CONTENT_TYPES[match["extension"]],
                         etag=match["hash"], conditional=True, max_age=A_YEAR)
    response.cache_control.immutable = True
    # The browser takes the Content-Type as it is and never guesses from the bytes.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def alt_text(filename: str | None) -> str:
    """A first alt text for the Markdown, from the file's name ("beach-at-dawn.jpg" →
    "beach at dawn"), for the author to improve."""
    stem = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    words = " ".join(NOT_IN_ALT_TEXT.sub(" ", stem).replace("_", " ").replace("-", " ").split())
    return words[:ALT_TEXT_MAX_LENGTH] or _("picture")


def _sent_bytes(form) -> bytes:
    file = form.image.data
    return file.read() if file else b""


@bp.route("/new", methods=["GET", "POST"])
@login_required
@rate_limits.upload_per_user
@body_limit("UPLOAD_MAX_BYTES")
def new():
    """A picture for an article: JSON (its URL and Markdown) for the editor's script,
    else this page with the picture and the Markdown to copy."""
    form = ImageForm()
    upload = markdown = status = None
    if form.validate_on_submit():
        try:
            upload = uploads.upload_image(current_user, _sent_bytes(form))
        except ValidationError as error:
            if wants_json():
                return _problem(error)
            show_service_error(form, error)
            status = _status(error)
        else:
            url = url_for("uploads.image", name=upload.name)
            markdown = f"![{alt_text(form.image.data.filename)}]({url})"
            if wants_json():
                return {"url": url, "markdown": markdown, "width": upload.width,
                        "height": upload.height}, 201
    return render_template("uploads/new.html", title=_("Upload a picture"), form=form,
                           upload=upload, markdown=markdown), status or form_status(form)


@bp.post("/avatar")
@login_required
@rate_limits.upload_per_user
@body_limit("UPLOAD_MAX_BYTES")
def avatar():
    """The account's own picture, in place of the identicon."""
    form = AvatarForm()
    if form.validate_on_submit():
        try:
            uploads.set_avatar(current_user, _sent_bytes(form))
        except ValidationError as error:
            show_service_error(form, error)
            return render_avatar_page(form), _status(error)
        else:
            flash(_("Your picture is saved. It shows wherever your name does."), "success")
            return redirect(url_for("settings.avatar"))
    return render_avatar_page(form), form_status(form)


def render_avatar_page(form: AvatarForm) -> str:
    return render_template("settings/avatar.html", title=_("Picture"), form=form)


def _status(error: ValidationError) -> int:
    return 413 if isinstance(error, uploads.TooLarge) else 422


def _problem(error: ValidationError):
    """A JSON problem body for the script: 413 or 422, and what to tell the author."""
    status = RequestEntityTooLarge if isinstance(error, uploads.TooLarge) else UnprocessableEntity
    return error_response(status(), error_summary(error))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A body over the limit, refused before the view ran: say how large a picture
    may be, on the page (or in the JSON) the upload came from."""
    refusal = uploads.too_large()
    if request.endpoint == "uploads.avatar" and not wants_json():
        form = AvatarForm(formdata=None)
        show_service_error(form, refusal)
        return render_avatar_page(form), 413
    if request.endpoint == "uploads.new" and not wants_json():
        form = ImageForm(formdata=None)
        show_service_error(form, refusal)
        return render_template("uploads/new.html", title=_("Upload a picture"), form=form,
                               upload=None, markdown=None), 413
    return _problem(refusal)
