"""Flask's JSON, with dates and times written as ISO 8601 (``2026-12-07T11:45:00+00:00``).

Flask's own JSON writes a ``datetime`` as an HTTP date (``Mon, 07 Dec 2026 11:45:00
GMT``). The REST API documents ISO 8601 (RFC 3339), which every JSON client and
JavaScript's ``Date`` read, and which is what marshmallow's ``DateTime`` writes: so the
API's representations can hold ``datetime`` values and be written as they are
(:class:`microblog.api.schemas.Shown`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.json.provider import DefaultJSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class JSONProvider(DefaultJSONProvider):
    default = staticmethod(_default)
