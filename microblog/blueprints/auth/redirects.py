"""Where to send someone after they log in, without becoming an open redirect."""

from urllib.parse import urlsplit

from microblog.middleware.control_characters import CONTROL


def is_safe_next(target: str | None) -> bool:
    """True only for a relative path on this site, such as ``/user/susan?page=2``.

    Rejects absolute URLs (``https://evil.example/``), scheme-relative ones
    (``//evil.example``) and the backslash spellings browsers treat the same
    way (``/\\evil.example``), so a crafted login link cannot send a user away.
    It also rejects any control character, checked in the string as sent: urlsplit
    drops tabs and line breaks before it looks, and a line break in the Location
    header is one Werkzeug refuses to send, after the login or the like was done.
    """
    if not target or not target.startswith("/") or "\\" in target or CONTROL.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not target.startswith("//")
