"""Daily rollups of the service KPIs: per store-local day and channel, the counts the dashboard sums."""
from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

#: `dim` of a day's rollup rows: the channel's totals, per agent, per reason, and the row that marks the day done.
TOTAL, AGENT, REASON, DONE = "", "agent", "reason", "done"


class KpiDay(db.Model):
    """One store-local day's counts for a channel, in total (dim "") or per agent or reason (dim_id; 0 for none).

    A day is rolled up once it is settled (docs/kpis.md, "Daily rollups"); its row with dim "done" (channel 0)
    says that every row of the day is there. Changing what a settled day counted deletes the day's rows, and
    the next report rolls it up again.
    """

    __tablename__ = "kpi_days"
    __table_args__ = (
        # The report reads one kind of row over a range of days.
        Index("ix_kpi_days_dim_day", "dim", "day"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # No foreign key: the "done" row has channel 0.
    channel_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dim: Mapped[str] = mapped_column(String(6), primary_key=True)
    dim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    received: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    within_sla: Mapped[int] = mapped_column(Integer, default=0)
    closings: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    csat_answers: Mapped[int] = mapped_column(Integer, default=0)
    csat_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    # The day's median and p90 first response (nearest rank, seconds): the channel's on its total row, every
    # channel's on the "done" row (whose `answered` then counts every channel's answers of the day).
    fr_median: Mapped[int | None] = mapped_column(Integer)
    fr_p90: Mapped[int | None] = mapped_column(Integer)
