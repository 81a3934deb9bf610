"""The signing secret of an integrated channel: which secrets are accepted now, and rotation with an overlap."""
from datetime import datetime, timedelta

from ..models import Channel
from ..models.base import utcnow
from .signing import new_secret

DEFAULT_OVERLAP_HOURS = 24


def accepted_secrets(channel: Channel, now: datetime | None = None) -> list[str]:
    """Return the secrets a signature may use: the current one, and the previous one until it expires."""
    moment = now or utcnow()
    accepted = [channel.webhook_secret] if channel.webhook_secret else []
    expires = channel.previous_secret_expires_at
    if channel.previous_webhook_secret and expires is not None and moment < expires:
        accepted.append(channel.previous_webhook_secret)
    return accepted


def rotate_secret(channel: Channel, overlap_hours: int = DEFAULT_OVERLAP_HOURS,
                  now: datetime | None = None) -> str:
    """Give the channel a new secret; the old one stays accepted for `overlap_hours`. Returns the new secret."""
    moment = now or utcnow()
    if channel.webhook_secret and overlap_hours > 0:
        channel.previous_webhook_secret = channel.webhook_secret
        channel.previous_secret_expires_at = moment + timedelta(hours=overlap_hours)
    else:
        channel.previous_webhook_secret = None
        channel.previous_secret_expires_at = None
    channel.webhook_secret = new_secret()
    return channel.webhook_secret
