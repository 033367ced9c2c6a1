"""A one-route Flask app: what Flask itself serves on this machine (``make bench``).

The performance targets were set on a machine where a one-route Flask app under the
same gunicorn (2 sync workers) and wrk (``-c16``) served about 9,300 requests/s.
Measured here in the same run, this app tells how fast this machine is next to that
one (``bench/targets.py``). The route is ``/health`` so the harness can wait for it
like for the real app.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health() -> str:
    return "ok"
