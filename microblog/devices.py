"""A browser's User-Agent header in plain words, such as "Firefox 140 on Ubuntu".

The header is a jumble of historical tokens (every browser claims to be
"Mozilla/5.0"); ua-parser keeps the maintained rule set that reads it, so the
list of sessions in Settings can say which device each one is.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import _
from ua_parser import parse

UNKNOWN = "Other"  # what ua-parser names a family it does not know


@lru_cache(maxsize=256)
def _parts(user_agent: str) -> tuple[str | None, str | None, str | None]:
    """Browser (with its major version), system and device model, each None if unknown."""
    result = parse(user_agent)
    browser = system = device = None
    if result.user_agent and result.user_agent.family != UNKNOWN:
        browser = " ".join(filter(None, (result.user_agent.family, result.user_agent.major)))
    if result.os and result.os.family != UNKNOWN:
        system = result.os.family
    if result.device and result.device.family not in (UNKNOWN, "Generic Smartphone", "Spider"):
        device = result.device.family
    return browser, system, device


def describe(user_agent: str | None) -> str:
    """The device in words for its owner; "Unknown device" when the header says nothing."""
    browser, system, device = _parts(user_agent or "")
    if browser and system:
        words = _("%(browser)s on %(system)s", browser=browser, system=system)
    elif browser or system:
        words = browser or system
    else:
        return _("Unknown device")
    return _("%(words)s (%(device)s)", words=words, device=device) if device else words
