"""Where to send someone after they log in, without becoming an open redirect."""

from urllib.parse import urlsplit


def is_safe_next(target: str | None) -> bool:
    """True only for a relative path on this site, such as ``/user/susan?page=2``.

    Rejects absolute URLs (``https://evil.example/``), scheme-relative ones
    (``//evil.example``) and the backslash spellings browsers treat the same
    way (``/\\evil.example``), so a crafted login link cannot send a user away.
    """
    if not target or not target.startswith("/") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not target.startswith("//")
