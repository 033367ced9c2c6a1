"""Uploaded files in a folder of this machine (``UPLOAD_DIR``, ``instance/uploads/``).

Files are spread over subfolders named by the first two characters of their name
(``ab/abcd….png``), so no folder holds more than a few thousand entries however many
images people upload. A file is written to a temporary name first and renamed into
place, so a reader never sees half of one, and two uploads of the same image at once
both end with the one whole file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

# A stored name: lower-case hex digits, a dot, an extension. Nothing that could climb
# out of the folder ("..", "/") ever reaches the file system.
NAME = re.compile(r"^[0-9a-f]{16,128}\.[a-z0-9]{1,8}$")


class LocalStorage:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        if not NAME.match(name):
            raise FileNotFoundError(name)
        return self.root / name[:2] / name

    def save(self, name: str, data: bytes) -> None:
        target = self.path(name)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).is_file()
        except FileNotFoundError:
            return False
