"""The demo shows a populated service-performance page: a month of answered, closed and rated tickets."""
import pytest

from portal.demo.data import load_demo_data
from portal.kpis import figures
from portal.models import TicketSurvey


@pytest.fixture
def demo(db):
    load_demo_data()
    db.session.commit()


def test_the_demo_has_rated_closings_and_a_populated_dashboard(db, demo):
    answered = db.session.scalars(db.select(TicketSurvey).where(TicketSurvey.rating.is_not(None))).all()
    assert len(answered) >= 15
    assert {survey.rating for survey in answered} >= {1, 2, 3, 4, 5}
    report = figures.report(figures.parse_period(None, None))
    s = report.summary
    assert s.received >= 20 and s.answered >= 20 and s.closed >= 20
    assert s.first_response_median is not None and s.csat_pct is not None
    assert 0 < s.within_sla_pct < 100
    assert len(report.agents) >= 3
    assert sum(1 for day in report.daily if day.received) >= 15


def test_the_page_shows_it_to_the_demo_agent(client, login, db, demo):
    from portal.models import User

    login(db.session.scalar(db.select(User).where(User.email == "agente@demo.test")), password="demo1234")
    body = client.get("/staff/kpis").get_data(as_text=True)
    assert "data-kpi-own" in body and "chart-volume" in body
