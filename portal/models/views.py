"""Saved queue views: a filter set an agent named, for themself or for the whole team."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .users import User


class SavedView(db.Model):
    """A named queue filter; `filter_query` is the normalised query string of the filters (QueueFilters.to_args)."""

    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("owner_id", "name", name="uq_saved_views_owner_name"),
        # The queue lists the shared views next to the user's own (uq_saved_views_owner_name serves those).
        Index("ix_saved_views_shared", "shared", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    filter_query: Mapped[str] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
