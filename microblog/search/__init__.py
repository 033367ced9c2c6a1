"""Full-text search, behind one interface, in the database the app already has.

- :mod:`microblog.search.query` reads what was typed into a :class:`SearchQuery`;
- :mod:`microblog.search.backend` is the interface, :class:`SearchBackend`;
- :mod:`microblog.search.sqlite_fts` (FTS5) and :mod:`microblog.search.postgres_fts`
  (``tsvector`` and GIN) implement it;
- :mod:`microblog.search.highlight` turns marked snippets into safe HTML.

``init_search`` picks the backend from the database URL, once, in ``create_app``;
:func:`backend` hands it to the search service. The index itself is kept by
triggers and generated columns (migration 0004), so nothing in the app has to
remember to update it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app

from microblog.search.backend import SearchBackend
from microblog.search.postgres_fts import PostgresFTSBackend
from microblog.search.sqlite_fts import SQLiteFTSBackend

BACKENDS: dict[str, type[SearchBackend]] = {
    "sqlite": SQLiteFTSBackend,
    "postgresql": PostgresFTSBackend,
}

# What migration 0004 adds beside the models, which Alembic's autogenerate must leave alone.
SEARCH_TABLES = ("posts_search", "comments_search", "users_search")
SEARCH_COLUMN = "search_vector"


def init_search(app: Flask) -> None:
    """Choose the backend for the app's database."""
    dialect = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if dialect not in BACKENDS:
        raise RuntimeError(f"Search has no backend for {dialect!r} databases; "
                           f"use one of: {', '.join(BACKENDS)}.")
    app.extensions["search"] = BACKENDS[dialect]()


def backend() -> SearchBackend:
    return current_app.extensions["search"]


def leave_search_index_alone(obj, name: str | None, type_: str, reflected: bool,
                             compare_to) -> bool:
    """Alembic's ``include_object`` hook: False for the search index's tables, columns
    and indexes, which migration 0004 creates in SQL the models do not describe.
    Without it, ``flask db migrate`` would write a migration dropping them."""
    return not (reflected and _is_search_object(name, type_))


def _is_search_object(name: str | None, type_: str) -> bool:
    if not name:
        return False
    if type_ == "table":
        return name.startswith(SEARCH_TABLES)
    if type_ == "column":
        return name == SEARCH_COLUMN
    if type_ == "index":
        return name.endswith("_" + SEARCH_COLUMN)
    return False
