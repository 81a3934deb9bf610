"""The KPI figures for the back office: the same numbers as the staff dashboard, every agent included."""
from flask import jsonify

from ...extensions import db
from ...kpis import figures
from . import bp
from .schemas.kpis import Kpis, KpisQuery
from .spec import operation


def _channel_row(row: figures.ChannelRow) -> dict:
    return {"code": row.code, "name": row.name, "sla_hours": row.sla_hours, "answered": row.answered,
            "within_sla": row.within_sla, "within_sla_pct": row.within_sla_pct, "first_response_median": row.median,
            "csat_answers": row.csat_answers, "csat_pct": row.csat_pct}


def report_json(report: figures.Report, codes: list[str]) -> dict:
    s = report.summary
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "channels_filter": codes,
        "summary": {"received": s.received, "answered": s.answered, "closed": s.closed,
                    "first_response": {"median": s.first_response_median, "p90": s.first_response_p90},
                    "within_sla": s.within_sla, "within_sla_pct": s.within_sla_pct, "reopened": s.reopened,
                    "closed_tickets": s.closed_tickets, "reopen_rate_pct": s.reopen_rate,
                    "escalations": s.escalations, "csat_answers": s.csat_answers,
                    "csat_satisfied": s.csat_satisfied, "csat_pct": s.csat_pct},
        "backlog": report.backlog,
        "channels": [_channel_row(row) for row in report.channels],
        "agents": [{"user_id": row.user_id, "name": row.name, "first_responses": row.first_responses,
                    "first_response_median": row.median, "closed": row.closed, "backlog": row.backlog,
                    "csat_answers": row.csat_answers, "csat_pct": row.csat_pct} for row in report.agents],
        "reasons": [{"label": row.label, "received": row.received, "csat_answers": row.csat_answers,
                     "csat_pct": row.csat_pct} for row in report.reasons],
        "daily": [{"day": row.day.isoformat(), "received": row.received, "closed": row.closed,
                   "first_response_median": row.median} for row in report.daily],
    }


@bp.get("/kpis")
@operation("getKpis", "Service KPIs of a period", query=KpisQuery, errors=(422,),
           responses={200: (Kpis, "The period's figures.")},
           description="Tickets received, answered and closed; first response (median and p90, working seconds); "
                       "% answered within the channel's SLA; backlog by age; reopen rate; escalations; CSAT; per "
                       "channel, agent, reason and day. `from` and `to` are the store's dates, both included, at "
                       "most 366 days apart; `channel` takes channel codes separated by commas.")
def get_kpis(query: KpisQuery):
    """Answer the figures of the period and channels asked for."""
    period = figures.parse_period(query.from_.isoformat() if query.from_ else None,
                                  query.to.isoformat() if query.to else None, query.channel)
    body = report_json(figures.report(period), query.channel)
    db.session.commit()  # keeps the token's last-used time and the days the report rolled up
    return jsonify(body)
