"""Tidying what people type before any rule looks at it."""

from microblog.errors import ValidationError


def clean_text(text: str | None) -> str:
    """One kind of line break, however the browser sent it; no blank edges; no NUL
    characters (no keyboard types one, and PostgreSQL refuses them in text)."""
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip()


def required_text(text: str | None, *, field: str, max_length: int, empty: str,
                  too_long: str) -> str:
    """``clean_text(text)``, or a ValidationError on ``field``: ``empty`` when nothing
    is left, ``too_long`` when it is longer than ``max_length`` characters."""
    cleaned = clean_text(text)
    if not cleaned:
        raise ValidationError(empty, field=field)
    if len(cleaned) > max_length:
        raise ValidationError(too_long, field=field)
    return cleaned
