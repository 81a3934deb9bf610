"""The service KPIs ("Výkonnost služeb"): the team's figures, one's own, charts, and CSV of every table.

Agents see the team's figures and their own row of the per-agent table; admins see every agent, and how often
the help page's answer to delivery questions solved them (per reason).
"""
import csv
import io
from dataclasses import replace

from flask import Response, render_template, request
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import ValidationError
from ...extensions import db
from ...kpis import charts, figures
from ...models import Channel
from . import bp
from .orders import safe_cell

TABLES = ("summary", "channels", "agents", "reasons", "backlog", "daily")


def _hours(seconds) -> str:
    """Show a duration in hours with one decimal, or a dash."""
    return "—" if seconds is None else _("%(hours)s h", hours=format_decimal(seconds / 3600, "#,##0.0"))


def _pct(value) -> str:
    return "—" if value is None else format_percent(value / 100, "#,##0.0%")


def _request_period():
    codes = request.args.getlist("channel")
    return figures.parse_period(request.args.get("from"), request.args.get("to"), codes), codes


def _report(period):
    admin = access.can_manage_store(current_user)
    report = figures.report(period, agent_id=current_user.id, every_agent=admin)
    db.session.commit()  # keeps the days the report rolled up
    return report, admin


def _charts(report: figures.Report) -> list[charts.Chart]:
    """Draw the four charts, each with the rows of its data table."""
    days = [format_date(row.day, "short") for row in report.daily]
    labels = [row.day.strftime("%d/%m") for row in report.daily]
    sla_hours = _sla_line(report)
    s = report.summary
    volume = charts.bars(
        "chart-volume", _("Tickets per day"),
        _("Received (blue) and closed (brown) tickets per day: %(received)d received and %(closed)d closed in all.",
          received=s.received, closed=s.closed),
        labels, [[row.received for row in report.daily], [row.closed for row in report.daily]])
    trend = charts.line(
        "chart-first-response", _("Median first response per day, against the SLA"),
        _("Median working hours to the first answer, per day; the dashed red line is the SLA of %(hours)d hours.",
          hours=sla_hours),
        labels, [None if row.median is None else round(row.median / 3600, 1) for row in report.daily], sla_hours,
        unit=" h")
    ages = [_("%(range)s days", range=name) for name in figures.BACKLOG_BUCKETS]
    backlog = charts.bars(
        "chart-backlog", _("Open tickets by age"),
        _("Open and waiting tickets now, by working days since they were received."),
        ages, [[report.backlog[name] for name in figures.BACKLOG_BUCKETS]])
    within = charts.bars(
        "chart-within-sla", _("Answered within SLA, per channel"),
        _("Share of first answers given within the channel's SLA, per channel, in percent."),
        [row.name[:14] for row in report.channels], [[row.within_sla_pct or 0 for row in report.channels]],
        unit="%", top=100)
    return [
        replace(volume, head=(_("Day"), _("Received"), _("Closed")),
                rows=tuple((day, row.received, row.closed) for day, row in zip(days, report.daily, strict=True))),
        replace(trend, head=(_("Day"), _("Median first response")),
                rows=tuple((day, _hours(row.median)) for day, row in zip(days, report.daily, strict=True))),
        replace(backlog, head=(_("Working days since received"), _("Open tickets")),
                rows=tuple((age, report.backlog[name]) for age, name in zip(ages, figures.BACKLOG_BUCKETS,
                                                                             strict=True))),
        replace(within, head=(_("Channel"), _("Answered within SLA")),
                rows=tuple((row.name, _pct(row.within_sla_pct)) for row in report.channels)),
    ]


def _sla_line(report: figures.Report) -> int:
    hours = sorted({row.sla_hours for row in report.channels})
    if hours:
        return hours[0]
    store = db.session.scalar(db.select(Channel.sla_hours).where(Channel.code == Channel.STORE_CODE))
    return int(store or 48)


@bp.route("/kpis")
def kpis():
    """Show the period's figures with their charts; a bad filter says which and shows nothing half-counted."""
    channels = db.session.scalars(db.select(Channel).order_by(Channel.name)).all()
    try:
        period, codes = _request_period()
    except ValidationError as error:
        return render_template("staff/kpis.html", error=error, report=None, channels=channels,
                               chosen=request.args.getlist("channel"), args=request.args), 400
    report, admin = _report(period)
    deflection = figures.deflection_per_reason(period) if admin else None
    return render_template("staff/kpis.html", error=None, report=report, charts=_charts(report), admin=admin,
                           channels=channels, chosen=codes, args=request.args, hours=_hours, pct=_pct,
                           tables=TABLES, deflection=deflection)


def _rows(report: figures.Report, table: str) -> tuple[list[str], list[list]]:
    s = report.summary
    if table == "summary":
        return [_("Figure"), _("Value")], [
            [_("Received"), s.received], [_("Answered"), s.answered], [_("Closed"), s.closed],
            [_("Median first response (working seconds)"), s.first_response_median],
            [_("90th percentile first response (working seconds)"), s.first_response_p90],
            [_("Answered within SLA (%)"), s.within_sla_pct], [_("Reopen rate (%)"), s.reopen_rate],
            [_("Escalations"), s.escalations], [_("Satisfaction answers"), s.csat_answers],
            [_("CSAT (%)"), s.csat_pct]]
    if table == "channels":
        return [_("Channel"), _("SLA (hours)"), _("Answered"), _("Within SLA"), _("Within SLA (%)"),
                _("Median first response (working seconds)"), _("Satisfaction answers"), _("CSAT (%)")], [
            [r.name, r.sla_hours, r.answered, r.within_sla, r.within_sla_pct, r.median, r.csat_answers, r.csat_pct]
            for r in report.channels]
    if table == "agents":
        return [_("Agent"), _("First responses"), _("Median first response (working seconds)"), _("Closed"),
                _("Open tickets assigned"), _("Satisfaction answers"), _("CSAT (%)")], [
            [r.name, r.first_responses, r.median, r.closed, r.backlog, r.csat_answers, r.csat_pct]
            for r in report.agents]
    if table == "reasons":
        return [_("Reason"), _("Received"), _("Satisfaction answers"), _("CSAT (%)")], [
            [r.label, r.received, r.csat_answers, r.csat_pct] for r in report.reasons]
    if table == "backlog":
        return [_("Working days since received"), _("Open tickets")], [
            [name, report.backlog[name]] for name in figures.BACKLOG_BUCKETS]
    return [_("Day"), _("Received"), _("Closed"), _("Median first response (working seconds)")], [
        [r.day.isoformat(), r.received, r.closed, r.median] for r in report.daily]


@bp.route("/kpis.csv")
def kpis_csv():
    """Export one table of the dashboard as CSV (spreadsheet-safe cells), for the same period and channels."""
    table = request.args.get("table", "summary")
    if table not in TABLES:
        return Response(_("There is no such table."), status=400, mimetype="text/plain")
    try:
        period, _codes = _request_period()
    except ValidationError as error:
        return Response(str(error.message), status=400, mimetype="text/plain")
    report, _admin = _report(period)
    head, rows = _rows(report, table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in head])
    for row in rows:
        writer.writerow([safe_cell("" if cell is None else cell) for cell in row])
    name = f"kpis-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})
