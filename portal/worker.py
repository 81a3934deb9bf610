"""What `huey_consumer portal.worker.huey` loads: the queue, every module that declares tasks, and the app."""
from . import create_app
from .core import outbox, retention  # noqa: F401  (declare deliver_outbox, sweep_outbox and purge_expired)
from .core.queue import huey, use_app_factory
from .kpis import rollup  # noqa: F401  (declares the KPI rollup)
from .orders import tracking_refresh  # noqa: F401  (declares the tracking refresh)
from .telesales import backoffice  # noqa: F401  (registers the back office's outbox transport)
from .tickets import inbound_poll, late_orders  # noqa: F401  (declare the IMAP poll and the late-order scan)

use_app_factory(create_app)

__all__ = ["huey"]
