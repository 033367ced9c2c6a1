"""Our own ``flask`` commands (``flask db …`` is Flask-Migrate's, ``flask shell`` Flask's)."""

from __future__ import annotations

import time

import click
from flask import Flask

from microblog import seed as seeding


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)


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
        f"in {time.monotonic() - started:.1f}s. Bulk accounts log in with "
        f"password {seeding.SEEDED_PASSWORD!r}."
    )
