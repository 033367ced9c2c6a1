"""Views of the health blueprint: JSON for load balancers and orchestrators.

``/health`` (liveness) answers as long as the process can serve a request at
all and touches nothing else, so a database outage does not get every worker
restarted. ``/health/ready`` (readiness) checks what requests need, so traffic
is sent elsewhere while a required dependency is down: 200 when all checks pass,
200 "degraded" when only Redis failed (the app serves without it), 503 naming the
ones that failed when the database did.
"""

from flask import current_app, jsonify

from microblog import __version__
from microblog.blueprints.health import bp
from microblog.blueprints.health.checks import checks_for, run_checks, verdict
from microblog.extensions import db


@bp.get("")
def live():
    return jsonify(status="ok", version=__version__)


@bp.get("/ready")
def ready():
    results = run_checks(checks_for(current_app, db.engine),
                         current_app.config["HEALTH_CHECK_TIMEOUT"])
    status, code = verdict(results)
    return jsonify(status=status, version=__version__, checks=results), code
