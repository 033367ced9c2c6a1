"""Tidying what people type before any rule looks at it."""


def clean_text(text: str | None) -> str:
    """One kind of line break, however the browser sent it; no blank edges; no NUL
    characters (no keyboard types one, and PostgreSQL refuses them in text)."""
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip()
