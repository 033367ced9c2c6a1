"""Our own ``flask`` commands (``flask db …`` is Flask-Migrate's, ``flask shell`` Flask's).

``flask seed`` loads demo or bulk data, and says who the administrators are or how
to make one; ``flask user …`` manages roles from the server; ``flask search …``
rebuilds and inspects the full-text index; ``flask translate …`` (``microblog/catalogues.py``)
keeps the translation catalogues.
"""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import _

from microblog import search
from microblog import seed as seeding
from microblog.catalogues import translate_cli
from microblog.errors import NotFound, ValidationError
from microblog.models.role import Role
from microblog.models.user import User
from microblog.services import accounts, moderation
from microblog.services import search as searching


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(markdown_cli)
    app.cli.add_command(translate_cli)


@click.command("seed")
@click.option("--users", type=click.IntRange(min=0), default=0, help="Accounts to add in bulk.")
@click.option("--posts", type=click.IntRange(min=0), default=0, help="Posts to add in bulk.")
@click.option("--follows", type=click.IntRange(min=0), default=50,
              help="Follows per new account (bulk only).", show_default=True)
@click.option("--random-seed", type=int, default=42, show_default=True,
              help="Same seed, same data.")
def seed_command(users: int, posts: int, follows: int, random_seed: int) -> None:
    """Load sample data.

    Without counts: the small demo set, only into an empty database, printing
    the demo login. With --users/--posts: the bulk path for benchmarks (every
    bulk account's password is "password").
    """
    import random

    if not users and not posts:
        if seeding.load_demo():
            click.echo(f"Demo data loaded. Log in as {seeding.DEMO_USERNAME} / "
                       f"{seeding.DEMO_PASSWORD}")
        else:
            click.echo("The database already has users; demo data not loaded.")
        click.echo(admin_hint())
        return

    started = time.monotonic()

    stages: list[str] = []

    def progress(stage: str, count: int) -> None:
        if not stages or stages[-1] != stage:
            click.echo(("\n" if stages else "") + f"  {stage}:", nl=False)
            stages.append(stage)
        click.echo(f"\r  {stage}: {count:,}", nl=False)

    try:
        result = seeding.bulk_seed(users, posts, follows, rng=random.Random(random_seed),
                                   progress=progress)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"\nAdded {result.users:,} users, {result.follows:,} follows and {result.posts:,} posts "
        f"({result.articles:,} of them articles), {result.comments:,} comments and "
        f"{result.likes:,} likes in {time.monotonic() - started:.1f}s. Bulk accounts log in "
        f"with password {seeding.SEEDED_PASSWORD!r}."
    )


def admin_hint() -> str:
    """Who administers the site, or how to get an administrator: ``make run`` prints it
    (after ``flask seed``), so nobody has to find this in the docs first."""
    names = accounts.administrators()
    if names:
        return _("Administrators: %(names)s (the Admin link in the menu). Make another "
                 "one with: flask user create-admin USERNAME",
                 names=", ".join(names))
    return _("No administrator yet. Make one with: flask user create-admin USERNAME "
             "(add --email ADDRESS to create the account)")


user_cli = AppGroup("user", help="Manage accounts: create an administrator, set roles.")
ROLE_NAMES = [role.value for role in Role]


def _failed(error: ValidationError | NotFound) -> click.ClickException:
    """A service error as a command-line error (exit code 1, message on stderr)."""
    messages = error.errors.values() if isinstance(error, ValidationError) else [error.message]
    return click.ClickException(" ".join(messages))


@user_cli.command("create-admin")
@click.argument("username")
@click.option("--email", help="Create the account with this address if it does not exist.")
def create_admin(username: str, email: str | None) -> None:
    """Make USERNAME an administrator, creating the account if needed.

    A new account needs --email; its password is asked for twice (hidden) and
    its address counts as confirmed.
    """
    try:
        user = accounts.get_user(username)
    except NotFound:
        user = None
    if user is None:
        if not email:
            raise click.ClickException(_(
                "There is no user called %(username)s. Give --email to create the account.",
                username=username,
            ))
        try:
            accounts.validate_username(username)
            accounts.validate_new_email(email)
            password = click.prompt(_("Password"), hide_input=True,
                                    confirmation_prompt=_("Repeat the password"))
            user = accounts.register(username, email, password, email_confirmed=True)
        except ValidationError as error:
            raise _failed(error) from None
        click.echo(_("Created the account %(username)s (%(email)s).",
                     username=user.username, email=user.email))
    elif email and accounts.normalise_email(email) != user.email:
        raise click.ClickException(_(
            "%(username)s already exists with another email address. Leave out --email "
            "to make that account an administrator.", username=user.username,
        ))
    _set_role(user, Role.ADMIN)


@user_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLE_NAMES, case_sensitive=False))
def set_role(username: str, role: str) -> None:
    """Give USERNAME the role ROLE (user, moderator or admin)."""
    try:
        user = accounts.get_user(username)
    except NotFound as error:
        raise _failed(error) from None
    _set_role(user, role)


def _set_role(user: User, role: Role | str) -> None:
    """Through the moderation service, which reads the role name and applies its rules."""
    old_role = user.role
    try:
        moderation.set_role(moderation.COMMAND_LINE, user, role)
    except ValidationError as error:
        raise _failed(error) from None
    if user.role == old_role:
        click.echo(_("%(username)s's role is already %(role)s.",
                     username=user.username, role=user.role.value))
    else:
        click.echo(_("%(username)s's role is now %(role)s.",
                     username=user.username, role=user.role.value))


search_cli = AppGroup("search", help="The full-text search index: rebuild it, see what it holds.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the posts, comments and users tables.

    The database keeps the index in step by itself; this is for after a restore
    from a partial backup, a change of search configuration, or to prove the
    index right.
    """
    started = time.monotonic()
    bars: dict[str, click.progressbar] = {}

    def progress(index: str, done: int, total: int) -> None:
        if index not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[index] = click.progressbar(length=max(total, 1), label=f"  {index:<24}",
                                            show_pos=True)
        bar = bars[index]
        bar.update(min(done, bar.length) - bar.pos)

    searching.reindex(progress)
    for bar in bars.values():
        bar.render_finish()
    click.echo(f"Rebuilt the {search.backend().name} index in {time.monotonic() - started:.1f}s.")


@search_cli.command("stats")
def stats() -> None:
    """Print what each index holds, beside what it should hold."""
    backend = search.backend()
    click.echo(f"Backend: {backend.name}")
    for index in backend.stats():
        size = f"{index.size_bytes / 1024:,.0f} KiB" if index.size_bytes is not None else "?"
        state = "in sync" if index.in_sync else \
            f"OUT OF SYNC: {index.source_rows:,} rows should be indexed"
        click.echo(f"  {index.name:<24} {index.documents:>10,} documents  {size:>12}  {state}")


markdown_cli = AppGroup("markdown", help="The HTML stored for articles and comments.")


@markdown_cli.command("rerender")
def rerender_command() -> None:
    """Render every article and comment again from its Markdown, with today's rules.

    Run it after changing MARKDOWN_IMAGE_HOSTS: until then, stored HTML shows images
    as the old setting said (a host no longer allowed is blocked by the CSP).
    """
    from microblog.caching import ENGAGEMENT, POSTS
    from microblog.extensions import db
    from microblog.services.posts import image_hosts
    from microblog.services.rerender import rerender
    from microblog.services.transactions import commit

    articles, comments = rerender(db.session.connection(), image_hosts())
    commit(changes=[POSTS, ENGAGEMENT])
    click.echo(f"Rendered again: {articles} articles and {comments} comments changed.")
