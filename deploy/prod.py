"""``make prod``: the production shape of Microblog, on this machine, in one command.

1. Settings for production (each can be given in the environment instead):
   ``DATABASE_URL`` (PostgreSQL, default ``postgresql://postgres@127.0.0.1:5432/microblog``),
   ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), a ``SECRET_KEY`` kept in
   ``instance/prod_secret_key``, ``SITE_URL`` and ``SOCKETIO_URL`` for the ports below.
2. The PostgreSQL database is created if it is missing, and migrated (``flask db upgrade``).
3. honcho runs ``deploy/Procfile.prod``: gunicorn for the pages (``WEB_CONCURRENCY``
   workers) on ``PROD_WEB_PORT`` (8000), two single-worker Socket.IO processes on
   ``PROD_SOCKETIO_PORT_1`` and ``_2`` (8001, 8002), and an RQ worker, all on ``REDIS_URL``,
   every line they print prefixed with the process's name. Ctrl-C stops them all.

Pages are served at http://localhost:8000 and tell the browser to open its socket on
one of the Socket.IO processes (``SOCKETIO_URL``; docs/38-real-time.md says why).
``localhost`` rather than 127.0.0.1: production cookies are ``Secure``, which browsers
accept over plain HTTP from localhost only.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def secret_key() -> str:
    path = ROOT / "instance" / "prod_secret_key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def settings() -> dict[str, str]:
    env = dict(os.environ)
    host = env.setdefault("PROD_HOST", "localhost")
    web = env.setdefault("PROD_WEB_PORT", "8000")
    sockets = [env.setdefault("PROD_SOCKETIO_PORT_1", "8001"),
               env.setdefault("PROD_SOCKETIO_PORT_2", "8002")]
    env["MICROBLOG_ENV"] = "production"
    env.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/microblog")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("SECRET_KEY", secret_key())
    env.setdefault("SITE_URL", f"http://{host}:{web}")
    env.setdefault("SOCKETIO_URL", ",".join(f"http://{host}:{port}" for port in sockets))
    env.setdefault("WEB_CONCURRENCY", "2")
    env.setdefault("FLASK_APP", "microblog")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"  # each line reaches honcho as it is written
    return env


def create_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names, if it does not exist yet."""
    from microblog.config import normalise_database_url

    target = sa.make_url(normalise_database_url(url))
    if not target.drivername.startswith("postgresql"):
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": target.database}):
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
                print(f"prod: created the database {target.database}", flush=True)
    finally:
        admin.dispose()


def main() -> int:
    env = settings()
    create_database(env["DATABASE_URL"])
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], env=env, cwd=ROOT, check=True)
    print(f"prod: pages at {env['SITE_URL']}, Socket.IO at {env['SOCKETIO_URL']}; "
          "Ctrl-C stops everything", flush=True)
    honcho = [str(BIN / "honcho"), "-f", "deploy/Procfile.prod", "-d", str(ROOT), "start"]
    os.execve(honcho[0], honcho, env)


if __name__ == "__main__":
    sys.exit(main())
