"""Where data exports are kept: one folder of ZIPs (``EXPORT_DIR``, ``instance/exports/``).

A sibling of the uploads' storage (:mod:`microblog.storage.local`), with what an export
needs that an upload does not: it is written as a stream (tens of megabytes that are
never in memory at once), it belongs to one person, and it is deleted after a week.
Each file is named after the task that made it (``<task id>.zip``), so the ``Task`` row
says whose it is and when it was finished; nothing else records it.

The folder is not under ``static/``: no URL reaches a file here. The download route
streams it after the exports service has checked who is asking.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app

# A finished export: a task id (a UUID) and ".zip". Nothing else is ever opened or
# deleted, so a name cannot climb out of the folder.
NAME = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.zip$")
PARTIAL_PREFIX = ".export-"  # a file being written; renamed to its name when whole


class ExportStorage:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        if not NAME.match(name):
            raise FileNotFoundError(name)
        return self.root / name

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[BinaryIO]:
        """A file to write the export ``name`` into; it appears under its name only
        once the block ends without an error (a reader never sees half of one, and a
        second run of the same task replaces the first's file whole)."""
        target = self.path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(handle, "wb") as file:
                yield file
            os.chmod(temporary, 0o600)  # only the app's own user reads exports
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def size(self, name: str) -> int | None:
        """The file's size in bytes; None when there is no such file."""
        try:
            return self.path(name).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> bool:
        """Delete the export ``name`` (or a partial file); False if it was not there."""
        path = self.root / name if name.startswith(PARTIAL_PREFIX) else self.path(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def files(self) -> Iterator[tuple[str, datetime]]:
        """Every file in the folder (whole exports and partial ones), with the time it
        was last written."""
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.is_file() and (NAME.match(entry.name)
                                    or entry.name.startswith(PARTIAL_PREFIX)):
                yield entry.name, datetime.fromtimestamp(entry.stat().st_mtime, UTC)


def export_storage() -> ExportStorage:
    """The app's folder of exports (``EXPORT_DIR``)."""
    return ExportStorage(current_app.config["EXPORT_DIR"])
