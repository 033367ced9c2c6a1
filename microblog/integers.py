"""Whole numbers that come from outside: ids in URLs, ids in forms, page numbers.

Python's ``int()`` is too generous for them. It takes ``"١٢"`` (Arabic-Indic digits),
``" 12 "``, ``"+1_2"``, and a number of any size, while the database's columns
hold at most ``MAX_ID``: a larger one sent to PostgreSQL is an "out of range"
error, and SQLite's driver cannot even bind it. So a number from outside is
ASCII digits alone and no larger than what it is compared with; anything else
names nothing, and is refused before a query is built.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, ValidationError

# The ids are INTEGER columns: 32 bits in PostgreSQL (SQLite's would hold 64).
MAX_ID = 2**31 - 1


def whole_number(value: str | int, maximum: int = MAX_ID) -> int:
    """``value`` as a number from 0 to ``maximum``, or ValueError.

    ``value`` may already be an int (WTForms coerces its own choices with the same
    function as what was sent).
    """
    text = str(value)
    digits = text.lstrip("0") or "0"
    # The length first: int() of thousands of digits is slow, and then refused anyway.
    if (text.isascii() and text.isdigit() and len(digits) <= len(str(maximum))
            and int(digits) <= maximum):
        return int(digits)
    raise ValueError(f"not a whole number from 0 to {maximum}: {text[:40]!r}")


class IdConverter(IntegerConverter):
    """``<int:post_id>`` in every route: :func:`whole_number`, so anything else is a 404.

    Werkzeug's own ``int`` converter matches ``\\d+``, which in Python is any script's
    digits, and has no upper bound.
    """

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value, MAX_ID if self.max is None else self.max)
        except ValueError:
            raise ValidationError() from None


def init_app(app: Flask) -> None:
    """Make ``int`` in URL rules mean :class:`IdConverter`: before any blueprint adds one."""
    app.url_map.converters["int"] = IdConverter
