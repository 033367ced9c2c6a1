"""The soak's short run (``tests/soak.py``; ``make soak`` is the long one).

About 40 seconds: the production shape (gunicorn with two workers, a private PostgreSQL
cluster, a private Redis) under four clients while Redis is killed and restarted, paused
and resumed, and PostgreSQL is stopped and started.
"""

from __future__ import annotations

import shutil

import pytest

from tests import soak
from tests.conftest import IN_CI


@pytest.fixture
def machine_can_soak():
    missing = [name for name in ("redis-server",) if not shutil.which(name)]
    try:
        soak.postgres_bin()
    except RuntimeError as error:
        missing.append(str(error))
    if missing:
        if IN_CI:
            pytest.fail(f"the soak needs {missing} (CI=true: it is required)")
        pytest.skip(f"the soak needs {missing}")


def test_faults_lose_no_acknowledged_post_and_the_app_recovers(machine_can_soak, tmp_path):
    report = soak.run(tmp_path)
    print(report.summary())

    assert report.problems() == []
    # Each fault really happened while the load ran, and posts were written throughout.
    assert [name for name, _, _ in report.faults] == [
        "redis killed 1", "redis paused 1", "postgres down 1"]
    assert {r.phase for r in report.records if r.kind == "write" and r.ok} >= {
        "quiet 1a", "quiet 1d"}
    assert len(report.acknowledged) >= 20
