"""``flask jobs worker`` and ``flask jobs sweep``.

``flask jobs worker`` is the production worker: as many as the work needs, on any
machine that reaches Redis and the database (``make worker`` runs one). The
``flask`` command builds the app once; the worker runs every job in its context.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs: run a worker, sweep for dead ones.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Quit once the queue is empty.")
@click.option("--no-fork", "no_fork", is_flag=True,
              help="Run each job in this process instead of a forked child.")
@click.option("--name", help="The worker's name in Redis (default: a random one).")
def worker_command(burst: bool, no_fork: bool, name: str | None) -> None:
    """Run an RQ worker on JOBS_QUEUE (needs JOBS_BACKEND=rq, the default with REDIS_URL)."""
    from microblog.jobs.rq_queue import make_worker

    app = current_app._get_current_object()
    if app.config["JOBS_BACKEND"] != "rq":
        raise click.ClickException(
            "JOBS_BACKEND is 'thread': this process's web server runs the jobs itself. "
            "Set REDIS_URL (or JOBS_BACKEND=rq) to run them in workers.")
    worker = make_worker(app, fork=not no_fork, name=name)
    click.echo(f"Worker {worker.name} on queue {app.config['JOBS_QUEUE']!r} "
               f"({'forking' if not no_fork else 'in process'}); Ctrl-C stops it.")
    worker.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Queue again, or fail, the tasks whose worker died or whose message was lost."""
    from microblog.jobs import sweep

    swept = sweep.sweep()
    for item in swept:
        click.echo(f"{item.task_id}: {item.outcome}")
    click.echo(f"{len(swept)} task(s) handed on." if swept else "Nothing to do.")
