"""The translation catalogues and ``flask translate``, the Mega-Tutorial's workflow (ch. 13).

gettext keeps translations in three kinds of file:

- ``messages.pot``, the *template*: every message the source marks (``_()``, ``_l()``,
  ``ngettext``, ``{{ _('…') }}`` in templates), extracted by pybabel as ``babel.cfg``
  says. Made afresh each time and never kept (git ignores it).
- ``microblog/translations/<lang>/LC_MESSAGES/messages.po``, one *catalogue* per
  language: each message and its translation, written by people. Kept in git.
- ``messages.mo`` beside it, the catalogue *compiled* into the binary form gettext
  reads at run time. Built by ``make`` (the ``translations`` target, which ``make run``
  and ``make test`` depend on) and never kept either.

The commands wrap pybabel, in this process::

    flask translate init <lang>   # a new language: extract, then a new messages.po
    flask translate update        # extract, then merge new messages into every .po
    flask translate compile       # every .po into its .mo
"""

from __future__ import annotations

import tempfile
from contextlib import chdir
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

from microblog.config import BASE_DIR

TRANSLATIONS_DIR = BASE_DIR / "microblog" / "translations"
BABEL_CFG = BASE_DIR / "babel.cfg"
# What marks a message, besides pybabel's defaults (_, gettext, ngettext, pgettext…):
# the lazy spellings, which forms and module-level constants use.
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


def pybabel(*arguments: str) -> None:
    """Run one pybabel command (``pybabel extract …``) in this process."""
    CommandLineInterface().run(["pybabel", "-q", *arguments])


def extract(pot: Path) -> Path:
    """Every marked message of the source, into the template ``pot``."""
    keywords = [f"-k{keyword}" for keyword in KEYWORDS]
    with chdir(BASE_DIR):  # so the catalogues name files by their paths in the repository
        pybabel("extract", "-F", str(BABEL_CFG), *keywords, "--width", "100",
                "--project", "Microblog", "--copyright-holder", "Microblog team",
                "-o", str(pot.resolve()), ".")
    return pot


def languages() -> list[str]:
    """The languages that have a catalogue."""
    return sorted(path.parent.parent.name
                  for path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def init(language: str) -> Path:
    with tempfile.TemporaryDirectory() as work:
        pot = extract(Path(work) / "messages.pot")
        pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS_DIR), "-l", language,
                "--width", "100")
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """New messages into every catalogue, untranslated; changed ones marked fuzzy;
    messages the source no longer has kept at the end, commented out."""
    with tempfile.TemporaryDirectory() as work:
        pot = extract(Path(work) / "messages.pot")
        pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS_DIR), "--width", "100",
                "--ignore-obsolete")


def compile_all() -> None:
    """Every ``.po`` into its ``.mo``, which is what the app reads."""
    pybabel("compile", "-d", str(TRANSLATIONS_DIR), "--statistics")


translate_cli = AppGroup("translate", help="Translation catalogues: add a language, update, "
                                           "compile.")


@translate_cli.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start a catalogue for LANGUAGE (a code: "fr", "pt_BR"). Add it to LANGUAGES too."""
    if language in languages():
        raise click.ClickException(f"{language} already has a catalogue; use update.")
    click.echo(f"Created {init(language)}. Translate it, add {language} to LANGUAGES "
               "(microblog/config.py), then run flask translate compile.")


@translate_cli.command("update")
def update_command() -> None:
    """Extract the messages again and merge them into every catalogue."""
    update()
    click.echo(f"Updated the catalogues of {', '.join(languages())}. Translate what is new "
               "(empty) or changed (fuzzy), then run flask translate compile.")


@translate_cli.command("compile")
def compile_command() -> None:
    """Compile every catalogue for the app to read."""
    compile_all()
