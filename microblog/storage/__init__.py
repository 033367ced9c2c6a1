"""Where uploaded files are kept: one small interface, chosen once by ``UPLOAD_STORAGE``.

Every file is written once under a name made from its content (``<sha256>.<ext>``,
:mod:`microblog.services.uploads`) and never changed, so a storage needs only three
operations: keep these bytes under this name, open that name, say whether it exists.
The app never builds a path or calls ``open`` on an uploaded file itself; it asks
:func:`storage`. The embedded default keeps files in a folder
(:class:`~microblog.storage.local.LocalStorage`, ``UPLOAD_DIR``, ``instance/uploads/``).

A deployment with several machines needs files every machine can read: a shared
volume works with ``local`` as it is; an object store (S3 and its kin) would be one more
class with these three methods, added to :data:`BACKENDS` under its own name and picked
with ``UPLOAD_STORAGE``. Nothing else in the app would change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Protocol

from flask import Flask, current_app

from microblog.storage.local import LocalStorage


class Storage(Protocol):
    """What the app asks of a place that keeps uploaded files."""

    def save(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name``. Saving a name that exists changes nothing
        (a name is its content's hash: the same name means the same bytes)."""

    def open(self, name: str) -> BinaryIO:
        """The file's bytes to read; ``FileNotFoundError`` if nothing has that name."""

    def exists(self, name: str) -> bool:
        """Whether a file has been saved under ``name``."""


# The storages UPLOAD_STORAGE can name, each built from the app's config.
BACKENDS: dict[str, Callable[[dict], Storage]] = {
    "local": lambda config: LocalStorage(config["UPLOAD_DIR"]),
}


def init_storage(app: Flask) -> None:
    """Build the storage ``UPLOAD_STORAGE`` names; an unknown name stops the app from
    starting (rather than failing at the first upload)."""
    name = app.config["UPLOAD_STORAGE"]
    if name not in BACKENDS:
        raise RuntimeError(
            f"UPLOAD_STORAGE={name!r} is not one of {', '.join(BACKENDS)}")
    app.extensions["microblog.storage"] = BACKENDS[name](app.config)


def storage() -> Storage:
    """The app's storage of uploaded files."""
    return current_app.extensions["microblog.storage"]
