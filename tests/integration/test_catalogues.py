"""The translation catalogues (microblog/translations/, microblog/catalogues.py) are complete:

- no words a user reads are left out of them: templates have no text outside
  ``{{ _() }}``, and Python passes no bare string to ``flash``, a domain error, a form
  field or an email's subject (the few exceptions are listed here, each with its reason);
- every message the source marks is in every catalogue (a fresh extraction finds none
  missing: someone ran ``flask translate update``);
- every message is translated in every language: none empty, none fuzzy, and each keeps
  its placeholders (``%(username)s``), or the page would show the wrong name or fail;
- the compiled ``.mo`` files the app reads are those of the ``.po`` files in git.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from microblog import catalogues
from microblog.config import BASE_DIR

PACKAGE = BASE_DIR / "microblog"
TEMPLATES = PACKAGE / "templates"
LANGUAGES = ["de", "es"]  # every language but English, the source

# Words that are the same in every language, or not the interface's, by file.
ALLOWED_IN_TEMPLATES = {
    "Microblog",  # the site's name
    "Markdown",  # a name
    "UTC",  # a time zone's name, after a time the browser rewrites (static/js/local-time.js)
}
# Python files whose strings are for operators and developers, not for users: the
# command line, the logs, the health checks' JSON, the seed data.
NOT_USER_FACING = {"cli.py", "catalogues.py", "logs.py", "audit.py", "seed", "health",
                   "jobs/cli.py"}

# Where a user reads a string passed to these (by position: the argument that is shown).
SHOWN_ARGUMENT = {"flash": 0, "ValidationError": 0, "PermissionDenied": 0, "NotFound": 0,
                  "Moved": 0, "SearchFailed": 0, "RateLimited": 0, "send_template": 1,
                  "send_email": 0}
SHOWN_KEYWORDS = {"label", "description", "message", "subject"}
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]+\))?[sdif]")


# Templates ---------------------------------------------------------------------------------

class _TextFinder(HTMLParser):
    """Text a reader sees in a template's skeleton (its own markup, with every ``{{ }}``
    and ``{% %}`` taken out): text nodes, and the attributes browsers show or read aloud."""

    SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description",
                        "aria-roledescription", "label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag in {"script", "style", "code"}  # code: file names, commands
        for name, value in attrs:
            if name in self.SHOWN_ATTRIBUTES or (name == "value" and tag == "button"):
                self.handle_data(value or "")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if not self.in_script:
            data = re.sub(r"\S*/\S*", " ", data)  # a path shown as it is: /category/…
            self.found.extend(re.findall(r"[^\W\d_]{2,}(?:[\s'’-]+[^\W\d_]+)*", data))


def template_words(path: Path) -> list[str]:
    """The words in ``path`` that no ``{{ _() }}`` or ``{% trans %}`` says."""
    from microblog import create_app

    env = create_app("testing").jinja_env
    skeleton = []
    for _line, kind, value in env.lex(path.read_text()):
        # Each Jinja expression or tag becomes a space: its own strings are Python's.
        skeleton.append(value if kind == "data" else " ")
    finder = _TextFinder()
    finder.feed("".join(skeleton))
    return [word for word in finder.found if word not in ALLOWED_IN_TEMPLATES]


TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_words_outside_the_catalogue(path):
    assert template_words(path) == [], (
        f"{path.relative_to(BASE_DIR)} shows words no translation reaches: wrap them in "
        "{{ _('…') }}, then flask translate update")


# Python ------------------------------------------------------------------------------------

def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _bare(node: ast.AST | None) -> bool:
    """A string written as it is (not through ``_()``): a literal, or an f-string."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
        and re.search(r"[^\W\d_]{2}", node.value) is not None)


def untranslated_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        shown = []
        if name in SHOWN_ARGUMENT and len(node.args) > SHOWN_ARGUMENT[name]:
            shown.append(node.args[SHOWN_ARGUMENT[name]])
        if name.endswith("Field") and node.args:
            shown.append(node.args[0])  # a form field's label
        if name.endswith("Field") or name in {"DataRequired", "Length", "InputRequired",
                                              "EqualTo", "Email", "Regexp", "NumberRange"}:
            shown.extend(k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS)
        found += [f"{path.relative_to(BASE_DIR)}:{n.lineno}: {ast.unparse(n)}"
                  for n in shown if _bare(n)]
    return found


def translated_at_import(path: Path) -> list[str]:
    """``_()`` called outside any function: translated once, in English, when the module
    is imported, whoever reads it later (``_l``, the lazy form, is for such places)."""
    tree = ast.parse(path.read_text(), str(path))
    inside_functions = {id(node) for function in ast.walk(tree)
                        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                        for node in ast.walk(function)}
    return [f"{path.relative_to(BASE_DIR)}:{node.lineno}: {ast.unparse(node)}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _name(node) in {"_", "gettext", "ngettext"}
            and id(node) not in inside_functions]


def user_facing(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return str(relative) not in NOT_USER_FACING and not NOT_USER_FACING & set(relative.parts)


PYTHON_FILES = sorted(path for path in PACKAGE.rglob("*.py") if user_facing(path))


def test_python_shows_no_string_outside_the_catalogue():
    found = [line for path in PYTHON_FILES for line in untranslated_strings(path)]

    assert found == [], "Strings a user reads, not marked for translation:\n" + "\n".join(found)


def test_no_message_is_translated_once_at_import_time():
    found = [line for path in PACKAGE.rglob("*.py") for line in translated_at_import(path)]

    assert found == [], "Use _l() where no request is running yet:\n" + "\n".join(found)


# The catalogues ----------------------------------------------------------------------------

def catalogue(language: str):
    with open(catalogues.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po",
              "rb") as file:
        return read_po(file, locale=language)


def messages(found) -> dict[str, object]:
    return {message.id if isinstance(message.id, str) else message.id[0]: message
            for message in found if message.id}


def texts(message) -> tuple[str, ...]:
    """A message's translations: one, or one per plural form."""
    return tuple(message.string) if isinstance(message.string, list | tuple) \
        else (message.string,)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = catalogues.extract(tmp_path_factory.mktemp("catalogue") / "messages.pot")
    with open(pot, "rb") as file:
        return messages(read_po(file))


def test_every_language_the_site_offers_has_a_catalogue(app):
    assert sorted(set(app.config["LANGUAGES"]) - {"en"}) == catalogues.languages() == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_message_of_the_source(extracted, language):
    missing = sorted(set(extracted) - set(messages(catalogue(language))))

    assert missing == [], (f"{len(missing)} messages are not in the {language} catalogue: "
                           "run flask translate update, then translate them")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    problems = []
    for msgid, message in messages(catalogue(language)).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            problems.append(f"empty: {msgid!r}")
    assert problems == [], f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    problems = []
    for msgid, message in messages(catalogue(language)).items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        for text in strings:
            got = set(PLACEHOLDER.findall(text))
            # A plural's singular may write "one" instead of %(num)d; nothing else may go.
            allowed_missing = {"%(num)d"} if len(ids) > 1 else set()
            if got - expected or expected - got - allowed_missing:
                problems.append(f"{msgid!r}: {text!r}")
    assert problems == [], f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_one_in_git(language):
    folder = catalogues.TRANSLATIONS_DIR / language / "LC_MESSAGES"
    assert (folder / "messages.mo").exists(), "Run make translations (make test does it)."
    with open(folder / "messages.mo", "rb") as file:
        compiled = {msgid: texts(m) for msgid, m in messages(read_mo(file)).items()}
    written = {msgid: texts(m) for msgid, m in messages(catalogue(language)).items()}

    assert compiled == written, "The .mo is older than its .po: run make translations."


# Scripts -----------------------------------------------------------------------------------

# A script showing words it holds itself: they would be English on every page. Its words come
# from data- attributes the template translated (``data-could-not-load="{{ _('…') }}"``).
JS_WORDS = re.compile(
    r"""(?:textContent|innerText|innerHTML|title|placeholder)\s*[+]?=\s*["'`][^"'`]*[^\W\d_]{2}"""
    r"""|setAttribute\(\s*["'](?:aria-label|title|placeholder)["']\s*,\s*["'`][^"'`]*[^\W\d_]{2}"""
    r"""|(?:alert|confirm|prompt)\(\s*["'`][^"'`]*[^\W\d_]{2}""")


@pytest.mark.parametrize("path", sorted((PACKAGE / "static" / "js").glob("*.js")),
                         ids=lambda p: p.name)
def test_scripts_show_no_words_of_their_own(path):
    found = [line.strip() for line in path.read_text().splitlines() if JS_WORDS.search(line)]

    assert found == [], f"{path.name} shows English of its own: {found}"


# flask translate ---------------------------------------------------------------------------

def test_flask_translate_starts_updates_and_compiles_a_catalogue(tmp_path, monkeypatch):
    """The tutorial's three commands, on a copy of the catalogues (a new language, French)."""
    import shutil

    from microblog import create_app

    shutil.copytree(catalogues.TRANSLATIONS_DIR, tmp_path / "translations")
    monkeypatch.setattr(catalogues, "TRANSLATIONS_DIR", tmp_path / "translations")
    runner = create_app("testing").test_cli_runner()
    french = tmp_path / "translations" / "fr" / "LC_MESSAGES"

    started = runner.invoke(args=["translate", "init", "fr"])
    assert started.exit_code == 0, started.output
    with open(french / "messages.po", "rb") as file:
        assert "Your post is now live!" in messages(read_po(file))
    again = runner.invoke(args=["translate", "init", "fr"])
    assert again.exit_code == 1 and "already has a catalogue" in again.output

    updated = runner.invoke(args=["translate", "update"])
    assert updated.exit_code == 0, updated.output
    assert "de, es, fr" in updated.output

    compiled = runner.invoke(args=["translate", "compile"])
    assert compiled.exit_code == 0, compiled.output
    assert (french / "messages.mo").exists()
