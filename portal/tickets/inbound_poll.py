"""Poll the IMAP mailbox of ticket answers (INBOUND_IMAP_*) from the queue: one consumer at a time.

Every consumer's scheduler enqueues the task each minute. A run first claims the slot of INBOUND_IMAP_INTERVAL
(at least a minute) it falls in, in the queue's shared storage (`core.queue.claim_slot`, Redis with REDIS_URL):
the first run of a slot polls, any other run of that slot, on this consumer or another, does nothing. The run
then keeps to its slot: it starts no message once the slot is nearly over, so two polls never overlap (beyond
one message and the IMAP timeout), and a consumer killed mid-poll holds nothing past its slot, as a lock
would. An interval under a minute is served by polling again within the run. Each message goes to
`inbound_mail.receive_and_commit`, which commits it and dedupes by Message-ID; `core.mailbox` flags it
\\Seen only after that.
"""
import logging
import time
from datetime import UTC, datetime, timedelta

from flask import current_app
from huey import crontab

from ..core import mailbox
from ..core.queue import app_context, claim_slot, huey
from . import inbound_mail
from .inbound_receiver import max_bytes

log = logging.getLogger(__name__)

NAME = "poll_inbound_mail"
# A run stops starting messages this many seconds before its slot ends.
_MARGIN = 10


def poll_once(settings: mailbox.ImapSettings, deadline: float | None = None) -> mailbox.PollResult:
    """Poll the mailbox once, each message committed through the ticket core in the current app."""
    app = current_app._get_current_object()

    def handle(raw: bytes) -> None:
        with app.app_context():
            inbound_mail.receive_and_commit(raw, source="imap")

    return mailbox.poll(settings, handle, max_bytes=max_bytes(app), deadline=deadline)


def poll_mailbox(now: datetime | None = None, storage=None) -> int | None:
    """Poll for the slot `now` falls in, unless that slot already ran; return how many messages were handled,
    None when the slot was taken or INBOUND_IMAP_HOST is not set."""
    settings = mailbox.ImapSettings.from_config(current_app.config)
    if settings is None:
        return None
    interval = max(1, int(current_app.config.get("INBOUND_IMAP_INTERVAL") or 60))
    every = timedelta(seconds=max(60, interval))
    now = now or datetime.now(UTC)
    slot = claim_slot(NAME, every, now=now, storage=storage)
    if slot is None:
        log.info("inbound IMAP: this slot is polled by another run; skipped")
        return None
    # The slot's end in this process's monotonic clock, less a margin for the message under way.
    margin = min(max(_MARGIN, settings.timeout), every.total_seconds() / 2)
    ends = time.monotonic() + (slot + every - now).total_seconds() - margin
    handled = 0
    while True:
        result = poll_once(settings, deadline=ends)
        handled += result.handled
        if interval >= 60 or result.error or time.monotonic() + interval > ends:
            return handled
        time.sleep(interval)


def _poll_inbound_mail() -> int:
    """Fetch the unseen answers from the IMAP mailbox when INBOUND_IMAP_HOST is set; return how many were handled."""
    with app_context():
        if huey.immediate:  # no consumers (tests, HUEY_IMMEDIATE): one poll where it is called
            settings = mailbox.ImapSettings.from_config(current_app.config)
            return poll_once(settings).handled if settings else 0
        return poll_mailbox() or 0


# It claims its slot itself, in poll_mailbox: the slot is INBOUND_IMAP_INTERVAL long, read when it runs.
_poll_inbound_mail.claims_slot = "INBOUND_IMAP_INTERVAL"
poll_inbound_mail = huey.periodic_task(crontab(minute="*"), name=NAME)(_poll_inbound_mail)
