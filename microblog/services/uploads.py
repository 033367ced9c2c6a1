"""Uploading pictures: who may, how large, how much, and keeping them once.

An article's image and an avatar go the same way: the bytes are checked against
``UPLOAD_MAX_BYTES``, decoded and encoded again (:func:`microblog.images.reencode`),
named by the SHA-256 of what we encoded, saved in the uploads storage
(:mod:`microblog.storage`) unless a file of that name is there already, and recorded
as the uploader's (:class:`~microblog.models.upload.Upload`). The file is saved
before its row is committed: a crash in between leaves a file nobody names, never a
row that names no file.
"""

from __future__ import annotations

from hashlib import sha256

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from microblog import images
from microblog.errors import ValidationError
from microblog.extensions import db
from microblog.models.role import Permission
from microblog.models.upload import Upload
from microblog.models.user import User
from microblog.services import permissions
from microblog.services.transactions import commit
from microblog.storage import storage


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


class TooLarge(ValidationError):
    """A file over ``UPLOAD_MAX_BYTES``: the front ends answer 413, not 422."""


def too_large() -> TooLarge:
    """What a file over ``UPLOAD_MAX_BYTES`` is told (also a body refused as too large)."""
    return TooLarge(
        _("That file is too large: pictures of up to %(max)s MB are accepted.",
           max=megabytes(current_app.config["UPLOAD_MAX_BYTES"])), "image")


def upload_image(user: User, data: bytes) -> Upload:
    """An image for ``user``'s articles: shrunk to ``UPLOAD_MAX_SIDE`` if larger."""
    return _keep(user, _picture(user, data, max_side=current_app.config["UPLOAD_MAX_SIDE"]))


def set_avatar(user: User, data: bytes) -> Upload:
    """``user``'s own picture in place of the identicon: cut square, ``AVATAR_SIDE`` wide."""
    upload = _keep(user, _picture(user, data, square=current_app.config["AVATAR_SIDE"]),
                   commit_now=False)
    user.avatar_file = upload.name
    commit()
    return upload


def use_identicon(user: User) -> None:
    """Back to the picture drawn from the account's id. The upload stays theirs."""
    user.avatar_file = None
    commit()


def used_bytes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Upload.size), 0))
        .where(Upload.user_id == user.id)) or 0


def _picture(user: User, data: bytes, **size) -> images.Picture:
    permissions.require(user, Permission.WRITE)
    if not data:
        raise ValidationError(_("Choose a picture to upload."), "image")
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        raise too_large()
    return images.reencode(data, max_pixels=current_app.config["UPLOAD_MAX_PIXELS"], **size)


def _keep(user: User, picture: images.Picture, *, commit_now: bool = True) -> Upload:
    name = f"{sha256(picture.data).hexdigest()}.{picture.extension}"
    existing = _upload_of(user, name)
    if existing is not None:  # the same picture again: nothing new to keep or count
        return existing
    quota = current_app.config["UPLOAD_QUOTA_BYTES"]
    if used_bytes(user) + len(picture.data) > quota:
        raise ValidationError(
            _("You have used your %(max)s MB for pictures. Pictures you already uploaded "
               "can still be used.", max=megabytes(quota)), "image")
    files = storage()
    if not files.exists(name):
        files.save(name, picture.data)
    upload = Upload(user_id=user.id, name=name, content_type=picture.content_type,
                    width=picture.width, height=picture.height, size=len(picture.data))
    db.session.add(upload)
    try:
        db.session.flush()
    except IntegrityError:  # the same person sent the same picture twice at once
        db.session.rollback()
        return _upload_of(user, name)
    if commit_now:
        commit()
    return upload


def _upload_of(user: User, name: str) -> Upload | None:
    return db.session.scalar(
        sa.select(Upload).where(Upload.user_id == user.id, Upload.name == name))
