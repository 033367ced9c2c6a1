"""Tags: reading what an author typed into tag names, and finding or creating them."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog.errors import ValidationError
from microblog.extensions import db
from microblog.models.tag import TAG_MAX_LENGTH, Tag

MAX_TAGS_PER_POST = 10
# Letters, digits, "_" and "-", with at least one letter: "python-3" yes, "2024" no
# (a number alone reads as a count, and #1 in a status is not a tag either).
TAG_NAME = re.compile(r"^[\w-]*[^\W\d_][\w-]*$")
SEPARATORS = re.compile(r"[,\s]+")


def parse(text: str | None) -> list[str]:
    """``"Flask, #python web"`` → ``["flask", "python", "web"]``, or a ValidationError."""
    names: list[str] = []
    for word in SEPARATORS.split(text or ""):
        name = word.lstrip("#").lower()
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH or not TAG_NAME.match(name):
            raise ValidationError(
                _("“%(tag)s” is not a tag: use letters, digits, “-” and “_”, up to %(max)d "
                  "characters.", tag=word[:TAG_MAX_LENGTH], max=TAG_MAX_LENGTH),
                field="tags",
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS_PER_POST:
        raise ValidationError(_("Use at most %(max)d tags.", max=MAX_TAGS_PER_POST),
                              field="tags")
    return names


def find_or_create(names: list[str]) -> list[Tag]:
    """The tags called ``names``, creating the missing ones (in the caller's transaction)."""
    if not names:
        return []
    found = {tag.name: tag for tag in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name in found:
            continue
        try:
            with db.session.begin_nested():  # another request may create it at the same time
                tag = Tag(name=name)
                db.session.add(tag)
        except IntegrityError:
            tag = db.session.scalar(sa.select(Tag).where(Tag.name == name))
        found[name] = tag
    return [found[name] for name in names]
