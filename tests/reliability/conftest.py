from ..jobs.conftest import clock, items, smtp, smtp_config  # noqa: F401  (the outbox's fixtures, shared)
