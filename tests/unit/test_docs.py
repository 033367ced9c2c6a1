"""The learning guide in ``docs/`` names real files and real code, and its index is complete.

The guide follows one convention so that this test can check it:

- a repository path is written in backticks, relative to the repository root:
  ``microblog/services/posts.py``, ``tests/conftest.py``, ``Makefile``, ``.ci/run``;
- a Python object is written ``module.path:qualname``, as in
  ``microblog.services.posts:home_timeline`` or ``microblog.pagination:Page.has_next``;
- a URL starts with ``/`` (``/user/<username>``) and is never taken for a path;
- files of other projects (the Mega-Tutorial's app/routes.py) are written without backticks;
- a fenced ``python`` block is an excerpt of the repository: each of its lines (except blank
  lines, comments and ``...``) must appear in a ``.py`` file of the repository. Interactive
  sessions are ``pycon`` blocks and illustrations ``text`` blocks; those are not checked.

Renaming or moving code without updating the guide makes one of these tests fail, and the
message names the doc and the stale reference.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
INDEX = DOCS / "README.md"
DOC_FILES = sorted(DOCS.glob("*.md"))
CHAPTER_FILES = [doc for doc in DOC_FILES if doc != INDEX]

# A token with a "/" is a path when its first segment is one of these top-level folders
# (folders still to come are listed too: naming a file in them before it exists fails).
TOP_LEVEL_DIRS = {"microblog", "tests", "docs", "migrations", "bench", "deploy", ".ci"}
# Files named without a telling extension.
FILE_NAMES = {"Makefile", ".flaskenv", ".gitignore"}
EXTENSIONS = (".py", ".html", ".js", ".css", ".md", ".toml", ".ini", ".cfg", ".json", ".mako",
              ".txt", ".yml", ".yaml")
# Build output git ignores: the guide may name it, `make` creates it, so it is not checked.
GENERATED = ("microblog/static/vendor/", "instance/", "node_modules/", ".venv/")
# The convention's own placeholders, as the index explains it.
PLACEHOLDERS = {"module:qualname", "module.path:qualname"}

# A fenced block, also inside a list item (indented); ``lang`` is its info string.
FENCE = re.compile(
    r"^[ \t]*(?P<fence>```|~~~)(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$",
    re.M | re.S,
)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
PATH_LIKE = re.compile(r"[\w.\-/]+")
DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
OBJECT_REF = re.compile(rf"(?P<module>{DOTTED}):(?P<qualname>{DOTTED})")
OUR_MODULE = re.compile(r"microblog(?:\.[A-Za-z_]\w*)+")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


SOURCE_DIRS = ("microblog", "tests", "migrations")


def source_lines() -> set[str]:
    """Every line of the repository's Python code, stripped of indentation."""
    return {
        line.strip()
        for folder in SOURCE_DIRS
        for path in (ROOT / folder).rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
    }


def prose(doc: Path) -> str:
    """The doc without its fenced code blocks (code excerpts are not references)."""
    return FENCE.sub("", doc.read_text(encoding="utf-8"))


def code_spans(doc: Path) -> list[str]:
    return [span.strip() for span in CODE_SPAN.findall(prose(doc))]


def is_path(token: str) -> bool:
    """A repository path, by the guide's convention (see the module docstring)."""
    if token.startswith("/") or not PATH_LIKE.fullmatch(token):
        return False
    if token in FILE_NAMES:
        return True
    if "/" in token and token.split("/", 1)[0] in TOP_LEVEL_DIRS:
        return True
    return token.endswith(EXTENSIONS)


def resolve(reference: str) -> object:
    """Import the module of ``module:qualname`` and walk the qualname; raise if stale."""
    module_name, qualname = reference.split(":")
    target: object = importlib.import_module(module_name)
    parts = qualname.split(".")
    for position, part in enumerate(parts):
        try:
            target = getattr(target, part)
        except AttributeError:
            # A dataclass field or annotated attribute without a class-level value
            # (``Page.has_next``) exists only in the annotations: accept it as a leaf.
            if inspect.isclass(target) and position == len(parts) - 1 and any(
                part in getattr(klass, "__annotations__", {}) for klass in inspect.getmro(target)
            ):
                return target
            raise
    return target


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading (close enough for the guide's plain headings)."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    slugs: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(doc)):
        slug = github_slug(heading)
        count = slugs.get(slug, 0)
        found.add(slug if count == 0 else f"{slug}-{count}")
        slugs[slug] = count + 1
    return found


def relative_links(doc: Path) -> list[str]:
    return [
        target for target in LINK.findall(prose(doc))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


def names(docs: list[Path]) -> list[str]:
    return [doc.name for doc in docs]


@pytest.mark.parametrize(
    "token",
    ["microblog/services/posts.py", "tests/conftest.py", "Makefile", ".ci/run",
     "microblog/templates/", "pyproject.toml", "docs/README.md"],
)
def test_these_tokens_are_paths(token):
    assert is_path(token)


@pytest.mark.parametrize(
    "token",
    ["/user/<username>", "/auth/login", "/index", "/static/css/app.css", "text/html",
     "application/problem+json", "https://www.gravatar.com/avatar", "sqlite:///x.db",
     "db.session.commit()", 'render_template("errors/error.html")', "docs/*.md",
     "microblog.services.posts:home_timeline", "POSTS_PER_PAGE", "flask db upgrade"],
)
def test_these_tokens_are_not_paths(token):
    assert not is_path(token)


def test_the_guide_has_an_index():
    assert INDEX.is_file(), "docs/README.md, the guide's index, is missing"
    assert CHAPTER_FILES, "docs/ has no chapter files"


@pytest.mark.parametrize("doc", DOC_FILES, ids=names(DOC_FILES))
def test_named_paths_exist(doc):
    stale = sorted({
        token for token in code_spans(doc)
        if is_path(token) and not token.startswith(GENERATED) and not (ROOT / token).exists()
    })
    assert not stale, (
        f"docs/{doc.name} names paths that do not exist (write paths relative to the "
        f"repository root): {', '.join(stale)}"
    )


@pytest.mark.parametrize("doc", DOC_FILES, ids=names(DOC_FILES))
def test_named_objects_resolve(doc):
    problems = []
    for token in sorted(set(code_spans(doc)) - PLACEHOLDERS):
        if OBJECT_REF.fullmatch(token):
            try:
                resolve(token)
            except (ImportError, AttributeError) as error:
                problems.append(f"`{token}` ({type(error).__name__}: {error})")
        elif OUR_MODULE.fullmatch(token):
            try:
                importlib.import_module(token)
            except ImportError as error:
                problems.append(f"`{token}` is not a module ({error}); "
                                f"name an object as module:qualname")
    assert not problems, f"docs/{doc.name} names code that does not resolve: " + "; ".join(
        problems)


@pytest.mark.parametrize("doc", DOC_FILES, ids=names(DOC_FILES))
def test_python_excerpts_match_the_code(doc):
    code = source_lines()
    stale = [
        line.strip()
        for block in FENCE.finditer(doc.read_text(encoding="utf-8"))
        if block["lang"] == "python"
        for line in block["body"].splitlines()
        if line.strip() and line.strip() not in ("...", "…")
        and not line.strip().startswith("#") and line.strip() not in code
    ]
    assert not stale, (
        f"docs/{doc.name} quotes code that is not in the repository (update the excerpt; "
        f"an illustration is a ```text or ```pycon block):\n  " + "\n  ".join(stale)
    )


@pytest.mark.parametrize("doc", DOC_FILES, ids=names(DOC_FILES))
def test_relative_links_resolve(doc):
    broken = []
    for target in relative_links(doc):
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path).resolve() if path else doc
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target} (no heading with anchor #{anchor})")
    assert not broken, f"docs/{doc.name} has broken links: {', '.join(broken)}"


def test_index_links_to_every_chapter_file():
    linked = {
        (DOCS / target.partition("#")[0]).resolve()
        for target in relative_links(INDEX) if target.partition("#")[0]
    }
    missing = [doc.name for doc in CHAPTER_FILES if doc.resolve() not in linked]
    assert not missing, f"docs/README.md does not link to: {', '.join(missing)}"


MEGA_TUTORIAL = [
    "Hello World", "Templates", "Web Forms", "Database", "User Logins",
    "Profile Page and Avatars", "Error Handling", "Followers", "Pagination", "Email Support",
    "Facelift", "Dates and Times", "I18n and L10n", "Ajax", "A Better Application Structure",
    "Full-Text Search", "Deployment on Linux", "Deployment on Heroku",
    "Deployment on Docker Containers", "Some JavaScript Magic", "User Notifications",
    "Background Jobs", "Application Programming Interfaces",
]
ENHANCEMENT_PHASES = {1: "Foundation", 2: "Architecture", 3: "Advanced features",
                      4: "Production readiness"}


def map_rows(first_cell: str) -> dict[int, list[list[str]]]:
    """The cells of the map's rows whose first cell matches ``first_cell``, by number."""
    rows: dict[int, list[list[str]]] = {}
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and (match := re.fullmatch(first_cell, cells[0])):
            rows.setdefault(int(match.group(1)), []).append(cells)
    return rows


def unclear_map_rows(rows: dict[int, list[list[str]]]) -> list[str]:
    """Rows whose last cell does not say "built" or "not yet", and built rows that name no
    file or no guide chapter."""
    unclear = []
    for number, found in rows.items():
        for cells in found:
            status = cells[-1].lower()
            if not status.startswith(("built", "not yet")):
                unclear.append(f"{number} (says {cells[-1]!r}, not 'built' or 'not yet')")
            elif status.startswith("built") and not ("`" in cells[3] and "](" in cells[2]):
                unclear.append(f"{number} (built, but names no file or no guide chapter)")
    return unclear


def test_index_maps_every_mega_tutorial_chapter():
    rows = map_rows(r"(\d+)")
    missing = sorted(set(range(1, 24)) - set(rows))
    assert not missing, f"docs/README.md's map has no row for chapter(s) {missing}"
    misnamed = [f"{n} ({title})" for n, title in enumerate(MEGA_TUTORIAL, 1)
                if not any(title.lower() in cells[1].lower() for cells in rows[n])]
    assert not misnamed, f"docs/README.md's map: rows not named after their chapter: {misnamed}"
    unclear = unclear_map_rows(rows)
    assert not unclear, f"docs/README.md's map: chapter row(s) {unclear}"


def test_index_maps_every_enhancement_phase():
    rows = map_rows(r"Phase\s+(\d)")
    missing = sorted(set(ENHANCEMENT_PHASES) - set(rows))
    assert not missing, f"docs/README.md's map has no row for phase(s) {missing}"
    misnamed = [f"{n} ({name})" for n, name in ENHANCEMENT_PHASES.items()
                if not all(cells[1].lower().startswith(name.lower()) for cells in rows[n])]
    assert not misnamed, f"docs/README.md's map: rows not named after their phase: {misnamed}"
    unclear = unclear_map_rows(rows)
    assert not unclear, f"docs/README.md's map: phase row(s) {unclear}"


@pytest.mark.parametrize("doc", CHAPTER_FILES, ids=names(CHAPTER_FILES))
def test_each_chapter_ends_with_questions_and_folded_answers(doc):
    text = doc.read_text(encoding="utf-8")
    answers = text.count("<summary>Answer</summary>")
    assert 3 <= answers <= 5, (
        f"docs/{doc.name} has {answers} folded answers; each chapter ends with 3 to 5 "
        f"questions, answers in <details><summary>Answer</summary>…</details>"
    )
    assert text.count("<details>") == text.count("</details>"), (
        f"docs/{doc.name} has an unclosed <details>"
    )
