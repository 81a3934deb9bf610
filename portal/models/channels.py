"""Sales channels: the store's own site and the marketplaces it sells on."""
from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Channel(db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_marketplace: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Response time owed on an open ticket, counted in calendar hours or in working-day hours.
    sla_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    sla_working_days: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    STORE_CODE = "loja"
