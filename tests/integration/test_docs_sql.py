"""Every ```sql block in the learning guide is what the code sends, or runs on the real schema.

The guide shows SQL so that a learner sees what the database is asked. SQL copied into
prose goes stale without a sound: a column is renamed, a query gains a join or loses a
statement, and the page still reads well. So every block is checked, by one of two rules:

- ```` ```sql ```` (the default) is **what the code sends**. The test builds the guide's
  small world (susan, john, bob and amy, thirty posts, an article tagged ``flask``), makes
  the requests the chapters walk through (:data:`STEPS`), and records every statement each
  one sends, ``COMMIT`` and ``ROLLBACK`` included; ``flask db upgrade`` on an empty
  database is recorded too. The block's statements must be found among those of one step,
  one after the other as they were sent; an unindented line holding only ``…`` stands for
  statements left out. Within a statement ``…`` stands for any text, and ``-- comments`` and layout
  do not count. Parameters are written as the driver receives them: ``?`` for SQLite,
  ``%(name)s`` for PostgreSQL.
- ```` ```sql example ```` is a statement to try by hand, not one the code sends. It must be
  complete (no ``…``). The test runs it on the migrated schema, in a transaction it rolls
  back: a ``SELECT``, ``INSERT``, ``UPDATE``, ``DELETE`` or ``WITH`` under ``EXPLAIN``
  (``EXPLAIN QUERY PLAN`` on SQLite), anything else (``EXPLAIN ANALYZE …``, ``PREPARE``,
  ``SET``) as it is; a placeholder gets NULL.

Which database a statement is for: the info string's word (```` ```sql postgresql ````,
```` ```sql sqlite example ````); else the last comment line naming one above it
(``-- SQLite``, ``-- PostgreSQL: …``); else its placeholders; else the database the rest of
its block names; else both.

A statement starts on an unindented line beginning with its verb (``SELECT``, ``INSERT``,
``COMMIT`` …); indented lines and lines starting with a clause (``FROM``, ``WHERE`` …)
continue it.

A block that no longer matches fails with the doc, its line, the first statement that does
not follow, and the nearest statement the code really sent. A block showing a request that
no step makes needs a step.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from microblog import create_app
from microblog.extensions import db
from tests.conftest import IN_CI, PASSWORD, Client, ensure_postgres_database

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DIALECTS = ("sqlite", "postgresql")

# A fenced sql block with the rest of its info string; also inside a list item (indented).
SQL_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```|~~~)sql(?P<info>[ \t][^\n]*)?\n(?P<body>.*?)"
    r"^[ \t]*(?P=fence)[ \t]*$",
    re.M | re.S,
)
VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "CREATE", "ALTER", "DROP",
         "EXPLAIN", "PREPARE", "EXECUTE", "DEALLOCATE", "SET", "RESET", "COMMIT", "ROLLBACK",
         "BEGIN", "PRAGMA", "VACUUM", "ANALYZE", "TRUNCATE")
STARTS_STATEMENT = re.compile(rf"^(?:{'|'.join(VERBS)})\b", re.I)
NAMES_A_DATABASE = re.compile(r"^--\s*(sqlite|postgresql)\b", re.I)
ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
STRING = re.compile(r"'(?:[^']|'')*'")
QMARK = re.compile(r"\?")
PYFORMAT = re.compile(r"%\((\w+)\)s")
EXPLAINED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


# The blocks ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    text: str  # as written, comments included
    dialects: tuple[str, ...]
    after_gap: bool = False  # statements may have been left out before it


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    example: bool
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return f"docs/{self.doc}, the ```sql block at line {self.line}"

    def for_dialect(self, dialect: str) -> list[Statement]:
        return [statement for statement in self.statements if dialect in statement.dialects]


def without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def code_of(sql: str) -> str:
    """What the database parses: no comments, no string literals."""
    return STRING.sub("''", without_comments(sql))


def placeholder_dialect(sql: str) -> str | None:
    if QMARK.search(code_of(sql)):
        return "sqlite"
    if PYFORMAT.search(code_of(sql)):
        return "postgresql"
    return None


def parse_block(doc: str, line: int, info: str, body: str) -> Block:
    """The statements of a block, each with the databases it is for."""
    words = info.lower().split()
    named = tuple(dialect for dialect in DIALECTS if dialect in words)
    pieces: list[tuple[list[str], str | None, bool]] = []  # lines, database, after a gap
    named_by_comment, gap = None, False
    for text in textwrap.dedent(body).splitlines():
        if mentioned := NAMES_A_DATABASE.match(text):
            named_by_comment, gap = mentioned.group(1).lower(), True
        elif text[:1] not in " \t" and not ELLIPSIS.sub("", code_of(text)).strip():
            # An unindented line of "…" alone: statements left out (or only a comment).
            gap = gap or bool(ELLIPSIS.search(code_of(text)))
        elif STARTS_STATEMENT.match(text):
            pieces.append(([text], named_by_comment, gap))
            gap = False
        elif pieces:
            pieces[-1][0].append(text)
    found = [("\n".join(lines).strip().rstrip(";"), comment, after_gap)
             for lines, comment, after_gap in pieces]
    own = [named or ((comment,) if comment else None)
           or ((dialect,) if (dialect := placeholder_dialect(text)) else None)
           for text, comment, _ in found]
    known = tuple(d for d in DIALECTS if any(d in dialects for dialects in own if dialects))
    statements = tuple(Statement(text, dialects or known or DIALECTS, after_gap)
                       for (text, _, after_gap), dialects in zip(found, own, strict=True))
    return Block(doc, line, "example" in words, statements)


def blocks() -> list[Block]:
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in SQL_FENCE.finditer(text):
            indent = match["indent"]
            body = "\n".join(row.removeprefix(indent) for row in match["body"].splitlines())
            line = text.count("\n", 0, match.start()) + 1
            found.append(parse_block(doc.name, line, match["info"] or "", body))
    return found


BLOCKS = blocks()


# A statement written in the guide against a statement sent -----------------------------

def normalised(sql: str) -> str:
    """Without comments, whitespace collapsed, none around brackets and commas."""
    text = re.sub(r"\s+", " ", without_comments(sql)).strip().rstrip(";").strip()
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def pattern(written: str) -> re.Pattern:
    """A statement as the guide writes it, as a pattern: ``…`` matches any text."""
    parts = ELLIPSIS.split(normalised(written))
    return re.compile(".*?".join(re.escape(part) for part in parts), re.I | re.S)


def matches(written: str, sent: str) -> bool:
    return pattern(written).fullmatch(normalised(sent)) is not None


def _run_at(run: list[re.Pattern], sent: list[str], start: int) -> int:
    """How many of ``run`` match ``sent`` from ``start``, one after the other."""
    length = 0
    while (length < len(run) and start + length < len(sent)
           and run[length].fullmatch(sent[start + length])):
        length += 1
    return length


def matched(written: list[Statement], sent: list[str]) -> int:
    """How many of ``written``, from the first, are found in ``sent``: one after the other,
    except after a gap, where any statements may come between."""
    runs: list[list[re.Pattern]] = []
    for statement in written:
        if statement.after_gap or not runs:
            runs.append([])
        runs[-1].append(pattern(statement.text))
    sent = [normalised(statement) for statement in sent]
    count, position = 0, 0
    for run in runs:
        starts = [start for start in range(position, len(sent))
                  if _run_at(run, sent, start) == len(run)]
        if not starts:
            return count + max((_run_at(run, sent, start)
                                for start in range(position, len(sent))), default=0)
        count, position = count + len(run), starts[0] + len(run)
    return count


def nearest(written: str, sent: Iterable[str]) -> str:
    target = normalised(written).replace("…", " ")
    return max(sent, key=lambda candidate: difflib.SequenceMatcher(
        None, target, normalised(candidate)).ratio(), default="(nothing was sent)")


# The guide's world and the requests it walks through ------------------------------------

@dataclass
class World:
    app: Flask
    susan: Client
    john: Client
    article_id: int
    tokens: dict[int, str]  # each client's CSRF token (by id()), read before recording


def build_world(app: Flask) -> World:
    """susan (1), john (2), bob (3) and amy (4); susan follows amy; thirty published
    posts, the seventh susan's article "Why Flask", tagged flask and web."""
    from microblog.services import accounts, follows, posts

    people = {name: accounts.register(name, f"{name}@example.com", PASSWORD,
                                      email_confirmed=True)
              for name in ("susan", "john", "bob", "amy")}
    follows.follow(people["susan"], "amy")
    authors = ["john", "amy", "bob", "susan"]
    for n in range(6):
        posts.create_post(people[authors[n % 4]], f"Status {n} about #flask")
    article = posts.create_article(people["susan"], "Why Flask", "Small *and* clear.",
                                   tags="flask, web")
    for n in range(6, 29):
        posts.create_post(people[authors[n % 4]], f"Status {n}")
    app.test_client_class = Client
    susan, john = app.test_client(), app.test_client()
    for client, name in ((susan, "susan"), (john, "john")):
        assert client.login(name).status_code == 302, f"{name} could not log in"
    return World(app, susan, john, article.id,
                 {id(client): client.csrf_token() for client in (susan, john)})


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"


def _post(world: World, client: Client, url: str, data: dict | None = None) -> None:
    response = client.post(url, data={"csrf_token": world.tokens[id(client)], **(data or {})})
    assert response.status_code in (200, 302), f"POST {url}: {response.status_code}"


# The requests, in this order (each sees what those before it did); each one's statements
# are recorded apart.
STEPS: list[tuple[str, Callable[[World], None]]] = [
    ("GET /explore?page=2, logged out (chapter 9)",
     lambda w: _get(w.app.test_client(), "/explore?page=2")),
    ("GET /index as susan (chapters 11 and 27)", lambda w: _get(w.susan, "/index")),
    ("GET /explore as susan (chapter 27)", lambda w: _get(w.susan, "/explore")),
    ("POST /follow/john as susan (chapter 11)", lambda w: _post(w, w.susan, "/follow/john")),
    ("GET /index as susan, who follows john now", lambda w: _get(w.susan, "/index")),
    ("GET /tag/flask as susan (chapter 24)", lambda w: _get(w.susan, "/tag/flask")),
    ("POST /post/7/comment as john (chapter 21)",
     lambda w: _post(w, w.john, f"/post/{w.article_id}/comment", {"body": "Nice **one**"})),
    ("POST /post/7/delete as susan (chapter 23)",
     lambda w: _post(w, w.susan, f"/post/{w.article_id}/delete")),
]
MIGRATIONS = "flask db upgrade on an empty database (chapter 26)"


def record(engine: sa.Engine, into: list[str]) -> Callable[[], None]:
    """Append every statement ``engine`` sends to ``into``, and COMMIT and ROLLBACK;
    returns the function that stops recording."""
    def statement(conn, cursor, text, parameters, context, executemany):
        into.append(text)

    hooks = [("before_cursor_execute", statement),
             ("commit", lambda conn: into.append("COMMIT")),
             ("rollback", lambda conn: into.append("ROLLBACK"))]
    for name, hook in hooks:
        sa.event.listen(engine, name, hook)

    def stop() -> None:
        for name, hook in hooks:
            sa.event.remove(engine, name, hook)
    return stop


def walk_through(app: Flask) -> dict[str, list[str]]:
    world = build_world(app)
    sent: dict[str, list[str]] = {}
    for name, step in STEPS:
        stop = record(db.engine, sent.setdefault(name, []))
        try:
            step(world)
        finally:
            stop()
    return sent


def migrate_an_empty_database(tmp_path: Path) -> list[str]:
    """Every statement ``flask db upgrade`` sends to an empty database of the kind the
    current app uses (PostgreSQL: one of its own beside the suite's, dropped after)."""
    from flask_migrate import upgrade

    url, own_database = f"sqlite:///{tmp_path}/docs.db", None
    if db.engine.dialect.name == "postgresql":
        own_database = db.engine.url.set(database=f"{db.engine.url.database}_docs_sql")
        _drop_database(own_database)
        url = own_database.render_as_string(hide_password=False)
        if problem := ensure_postgres_database(url):
            pytest.fail(problem) if IN_CI else pytest.skip(problem)
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                   "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")})
    sent: list[str] = []
    try:
        with fresh.app_context():
            stop = record(db.engine, sent)
            try:
                upgrade()
            finally:
                stop()
                db.session.remove()
                db.engine.dispose()
    finally:
        if own_database is not None:
            _drop_database(own_database)
    return sent


def _drop_database(url: sa.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


# What each database was sent, step by step: recorded once per run, when a block first asks.
_SENT: dict[str, dict[str, list[str]]] = {}


def sent_by_the_code(app: Flask, tmp_path: Path, *, migrations: bool) -> dict[str, list[str]]:
    dialect = db.engine.dialect.name
    if dialect not in _SENT:
        _SENT[dialect] = walk_through(app)
    if migrations and MIGRATIONS not in _SENT[dialect]:
        _SENT[dialect][MIGRATIONS] = migrate_an_empty_database(tmp_path)
    return _SENT[dialect]


# The tests ------------------------------------------------------------------------------

def _cases(example: bool) -> list:
    return [pytest.param(dialect, block, id=f"{block.doc}:{block.line}-{dialect}")
            for block in BLOCKS if block.example == example
            for dialect in DIALECTS if block.for_dialect(dialect)]


@pytest.mark.parametrize(("backend_app", "block"), _cases(example=False),
                         indirect=["backend_app"])
def test_sql_shown_as_sent_is_what_the_code_sends(app, block, tmp_path):
    dialect = db.engine.dialect.name
    written = block.for_dialect(dialect)
    # The migrations are run only for a block that no request explains.
    for migrations in (False, True):
        sent = sent_by_the_code(app, tmp_path, migrations=migrations)
        best = max(sent.values(), key=lambda statements: matched(written, statements))
        if matched(written, best) == len(written):
            return
    missing = written[matched(written, best)].text
    every = [statement for statements in sent.values() for statement in statements]
    pytest.fail(
        f"{block.name} shows SQL the code does not send on {dialect}. It matches what was "
        f"sent up to this statement (statements follow each other as they were sent, "
        f"unless a line of … stands between them):\n\n{textwrap.indent(missing, '    ')}"
        f"\n\nThe nearest statement sent:\n\n{textwrap.indent(nearest(missing, every), '    ')}"
        f"\n\nUpdate the block (… stands for any text), mark it ```sql example if the code "
        f"does not send it, or add the request it shows to STEPS in "
        f"{Path(__file__).relative_to(ROOT)} (steps: {'; '.join(sent)}).",
        pytrace=False)


@pytest.mark.parametrize(("backend_app", "block"), _cases(example=True),
                         indirect=["backend_app"])
def test_sql_shown_as_an_example_runs_on_the_migrated_schema(app, block):
    dialect = db.engine.dialect.name
    with db.engine.connect() as connection:
        try:
            for statement in block.for_dialect(dialect):
                assert not ELLIPSIS.search(code_of(statement.text)), (
                    f"{block.name} is an example, so it must be complete, but it has '…'")
                connection.exec_driver_sql(*runnable(statement.text, dialect))
        except sa.exc.DBAPIError as error:
            pytest.fail(f"{block.name} does not run on the migrated {dialect} schema: "
                        f"{error.orig}", pytrace=False)
        finally:
            connection.rollback()


def runnable(sql: str, dialect: str) -> tuple:
    """The statement as the test runs it: under EXPLAIN if it reads or writes, with NULL
    for each placeholder."""
    text = without_comments(sql).strip().rstrip(";")
    if text.split(None, 1)[0].upper() in EXPLAINED:
        text = ("EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN ") + text
    if dialect == "sqlite":
        return text, (None,) * len(QMARK.findall(code_of(text)))
    names = PYFORMAT.findall(code_of(text))
    return (text, dict.fromkeys(names)) if names else (text,)


def test_the_guide_shows_sql_and_this_test_finds_each_statement():
    assert BLOCKS, "no ```sql block found in docs/"
    empty = [block.name for block in BLOCKS if not block.statements]
    assert not empty, ("no statement found (a statement starts on an unindented line with "
                       "its verb): " + "; ".join(empty))


# The convention itself ------------------------------------------------------------------

def test_an_ellipsis_stands_for_any_text_and_layout_and_comments_do_not_count():
    sent = "SELECT users.id, users.username \nFROM users \nWHERE lower(users.username) = ?"
    assert matches("SELECT … FROM users\n WHERE lower(users.username) = ?  -- ('john',)", sent)
    assert matches("SELECT users.id, … FROM users WHERE lower( users.username ) = ?", sent)
    assert not matches("SELECT … FROM users WHERE users.username = ?", sent)
    assert not matches("SELECT … FROM people WHERE lower(people.username) = ?", sent)


def test_statements_follow_each_other_unless_a_line_of_ellipsis_stands_between():
    sent = ["SELECT a FROM t", "INSERT INTO t (a) VALUES (?)", "UPDATE t SET a=?", "COMMIT"]
    adjacent = parse_block("x.md", 1, "", "INSERT INTO t (a) VALUES (?)\nUPDATE t SET a=?\n")
    assert matched(adjacent.for_dialect("sqlite"), sent) == 2
    skipping = parse_block("x.md", 1, "", "SELECT a FROM t\nUPDATE t SET a=?\n")
    assert matched(skipping.for_dialect("sqlite"), sent) == 1
    with_gap = parse_block("x.md", 1, "", "SELECT a FROM t\n…\nUPDATE t SET a=?\nCOMMIT\n")
    assert matched(with_gap.for_dialect("sqlite"), sent) == 3
    indented = parse_block("x.md", 1, "", "SELECT a\n  …\nFROM t\nINSERT INTO t (a)\n  …\n")
    assert [s.text.split()[0] for s in indented.statements] == ["SELECT", "INSERT"]
    assert matched(indented.for_dialect("sqlite"), sent) == 2  # "…" inside: any text


def test_a_statement_is_for_the_database_its_block_comments_or_placeholders_name():
    mixed = parse_block("x.md", 1, "", textwrap.dedent("""\
        -- SQLite
        CREATE TRIGGER t AFTER INSERT ON comments BEGIN
            INSERT INTO comments_search (rowid, body) VALUES (NEW.id, NEW.body);
        END
        -- PostgreSQL: computed whenever the row is written
        ALTER TABLE comments ADD COLUMN v tsvector
        """))
    assert [s.dialects for s in mixed.statements] == [("sqlite",), ("postgresql",)]
    by_placeholder = parse_block("x.md", 1, "", "INSERT INTO t (a) VALUES (?)\nCOMMIT\n")
    assert [s.dialects for s in by_placeholder.statements] == [("sqlite",), ("sqlite",)]
    named = parse_block("x.md", 1, " postgresql example", "SELECT 1\n")
    assert named.example and named.statements[0].dialects == ("postgresql",)
    both = parse_block("x.md", 1, "", "SELECT posts.id\nFROM posts\nWHERE posts.id = 1\n")
    assert len(both.statements) == 1 and both.statements[0].dialects == DIALECTS
