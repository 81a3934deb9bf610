"""The KPI endpoint's query and answer."""
from datetime import date
from typing import Annotated

from flask_babel import gettext as _
from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema

from .fields import _CONTROL, fail
from .orders import Closed, Reply


def _day(value) -> date:
    text_value = str(value).strip()
    try:
        if len(text_value) != 10:
            raise ValueError(text_value)
        return date.fromisoformat(text_value)
    except ValueError:
        fail(_("Write the date as YYYY-MM-DD."))


def _codes(value) -> list[str]:
    codes = [code.strip() for code in str(value).split(",") if code.strip()]
    if len(codes) > 50 or any(len(code) > 50 for code in codes):
        fail(_("Name at most 50 channel codes of at most 50 characters each."))
    if any(_CONTROL.search(code) for code in codes):
        fail(_("Control characters are not allowed."))
    return codes


Day = Annotated[date | None, PlainValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]


class KpisQuery(Closed):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Day = Field(None, alias="from", description="First day of the period (store's date); default: 29 days "
                                                      "before `to`.")
    to: Day = Field(None, description="Last day of the period, included; default: today.")
    channel: Annotated[list[str], PlainValidator(_codes), WithJsonSchema({
        "type": "string", "description": "Up to 50 channel codes of at most 50 characters, separated by commas; "
                                         "left out: every channel.",
        "maxLength": 2600, "pattern": r"^[^,\x00-\x1f\x7f]{0,50}(,[^,\x00-\x1f\x7f]{0,50}){0,49}$"})] = []


class Percentiles(Reply):
    median: int | None = Field(description="Nearest-rank median, in working seconds.")
    p90: int | None = Field(description="Nearest-rank 90th percentile, in working seconds.")


class KpiSummary(Reply):
    received: int
    answered: int
    closed: int
    first_response: Percentiles
    within_sla: int
    within_sla_pct: float | None
    reopened: int
    closed_tickets: int
    reopen_rate_pct: float | None
    escalations: int
    csat_answers: int
    csat_satisfied: int
    csat_pct: float | None


class KpiChannel(Reply):
    code: str
    name: str
    sla_hours: int
    answered: int
    within_sla: int
    within_sla_pct: float | None
    first_response_median: int | None
    csat_answers: int
    csat_pct: float | None


class KpiAgent(Reply):
    user_id: int
    name: str
    first_responses: int
    first_response_median: int | None
    closed: int
    backlog: int
    csat_answers: int
    csat_pct: float | None


class KpiReason(Reply):
    label: str
    received: int
    csat_answers: int
    csat_pct: float | None


class KpiDay(Reply):
    day: date
    received: int
    closed: int
    first_response_median: int | None


class Backlog(Reply):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    d0_1: int = Field(alias="0-1")
    d1_2: int = Field(alias="1-2")
    d2_5: int = Field(alias="2-5")
    d5: int = Field(alias="5+")


class Kpis(Reply):
    """The service KPIs of a period (docs/kpis.md defines each figure)."""

    period: dict[str, date]
    channels_filter: list[str]
    summary: KpiSummary
    backlog: Backlog = Field(description="Open and waiting tickets now, by working days since received.")
    channels: list[KpiChannel]
    agents: list[KpiAgent]
    reasons: list[KpiReason]
    daily: list[KpiDay]
