"""Probes for load balancers: /healthz (the process answers) and /readyz (its database and Redis answer too)."""
import logging

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db, talisman

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

# A probe must answer well before the load balancer gives up on it (typically 5 s).
DATABASE_TIMEOUT_MS = 2000
REDIS_TIMEOUT_SECONDS = 1.0


@bp.route("/healthz")
@talisman(force_https=False)
def healthz():
    """Say that the process is up, without touching the database."""
    return jsonify(status="ok")


@bp.route("/readyz")
@talisman(force_https=False)
def readyz():
    """Check the database and, when configured, Redis; answer 503 naming what failed."""
    checks = {"database": _run_check("database", _ping_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _run_check("redis", _ping_redis)
    if all(result == "ok" for result in checks.values()):
        return jsonify(status="ready", checks=checks)
    return jsonify(status="unavailable", checks=checks), 503


def _run_check(name: str, check) -> str:
    """Run one check; log why it failed, but tell the (unauthenticated) caller only that it did."""
    try:
        check()
    except Exception as error:  # any failure of a dependency means "not ready"
        log.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
        return "failed"
    return "ok"


def _ping_database() -> None:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}"))
        conn.execute(text("SELECT 1")).scalar_one()


def _ping_redis() -> None:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()

