"""The satisfaction survey: asked once per closing, answered once, from a signed link that allows nothing else."""
import email
import re
from email import policy
from pathlib import Path

import pytest

from portal.models import TicketStatus, TicketSurvey
from portal.tickets import lifecycle as tickets
from portal.tickets import survey as surveys


def _mails(app) -> set[Path]:
    directory = Path(app.config["MAIL_DIR"])
    return set(directory.glob("*.eml")) if directory.exists() else set()


def _surveys(db, ticket=None):
    query = db.select(TicketSurvey).order_by(TicketSurvey.id)
    if ticket is not None:
        query = query.where(TicketSurvey.ticket_id == ticket.id)
    return list(db.session.scalars(query))


@pytest.fixture
def closed(db, open_ticket, agent):
    """A ticket of the store's own channel, answered by Ana and closed by her."""
    ticket = open_ticket()
    ticket.assignee_id = agent.id
    tickets.reply_as_staff(ticket, agent, "Chega amanhã.", "customer", expected_version=ticket.version)
    tickets.close_ticket(ticket, agent)
    db.session.commit()
    return ticket


def _link(app, db, ticket) -> str:
    with app.test_request_context():
        return surveys.link_for(_surveys(db, ticket)[-1])


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_closing_asks_once_by_mail_with_one_link_per_rating(app, db, open_ticket, agent, shopper):
    ticket = open_ticket()
    ticket.assignee_id = agent.id
    db.session.commit()
    before = _mails(app)
    tickets.close_ticket(ticket, agent)
    db.session.commit()
    [survey] = _surveys(db, ticket)
    assert (survey.agent_id, survey.channel_id, survey.reason_id) == (agent.id, ticket.channel_id, ticket.reason_id)
    assert survey.rating is None and survey.answered_at is None
    [mail] = _mails(app) - before
    message = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert message["To"] == shopper.email and ticket.number in message["Subject"]
    html = message.get_body(("html",)).get_content()
    links = re.findall(r'href="([^"]+/survey/[^"?]+\?rating=(\d))"', html)
    assert [value for _url, value in links] == ["1", "2", "3", "4", "5"]
    assert "<img" not in html
    text = message.get_body(("plain",)).get_content()
    assert "/survey/" in text


def test_a_marketplace_ticket_is_not_surveyed_unless_its_channel_turns_it_on(app, db, open_ticket, agent,
                                                                           marketplace):
    first = open_ticket(channel=marketplace)
    tickets.close_ticket(first, agent)
    db.session.commit()
    assert _surveys(db, first) == []
    marketplace.survey_enabled = True
    second = open_ticket(channel=marketplace)
    tickets.close_ticket(second, agent)
    db.session.commit()
    assert len(_surveys(db, second)) == 1


def test_the_link_opens_without_signing_in_and_records_one_answer(app, db, client, csrf_from, closed):
    link = _link(app, db, closed)
    page = client.get(_path(link) + "?rating=4")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert re.findall(r'<input checked[^>]*value="(\d)"', body) == ["4"]
    assert page.headers["Cache-Control"] == "no-store"
    answer = client.post(_path(link), data={"csrf_token": csrf_from(body), "rating": "5",
                                            "comment": "  Rápido e educado.  "})
    assert answer.status_code == 200
    [survey] = _surveys(db, closed)
    db.session.refresh(survey)
    assert (survey.rating, survey.comment) == (5, "Rápido e educado.")
    assert survey.answered_at is not None and survey.satisfied


def test_a_second_answer_is_refused_and_keeps_the_first(app, db, client, csrf_from, closed):
    link = _link(app, db, closed)
    token = csrf_from(client.get(_path(link)).get_data(as_text=True))
    assert client.post(_path(link), data={"csrf_token": token, "rating": "2"}).status_code == 200
    again = client.post(_path(link), data={"csrf_token": token, "rating": "5", "comment": "mudei"})
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    assert client.get(_path(link)).status_code == 409
    [survey] = _surveys(db, closed)
    db.session.refresh(survey)
    assert (survey.rating, survey.comment) == (2, None)


@pytest.mark.parametrize("rating", ["0", "6", "-1", "4.5", "abc", "", "5" * 30, "٣"])
def test_a_rating_outside_one_to_five_is_refused_and_nothing_is_written(app, db, client, csrf_from, closed, rating):
    link = _link(app, db, closed)
    token = csrf_from(client.get(_path(link)).get_data(as_text=True))
    response = client.post(_path(link), data={"csrf_token": token, "rating": rating})
    assert response.status_code == 422
    assert "Choose a rating from 1 to 5." in response.get_data(as_text=True)
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


def test_a_comment_of_5000_characters_is_refused(app, db, client, csrf_from, closed):
    link = _link(app, db, closed)
    token = csrf_from(client.get(_path(link)).get_data(as_text=True))
    response = client.post(_path(link), data={"csrf_token": token, "rating": "3", "comment": "x" * 5000})
    assert response.status_code == 422
    assert "Write at most 2000 characters." in response.get_data(as_text=True)
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


def test_without_the_form_token_nothing_is_written(app, db, client, closed):
    link = _link(app, db, closed)
    assert client.post(_path(link), data={"rating": "5"}).status_code == 400
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
    lambda token: "x" + token,
    lambda token: "a" * 500,
    lambda token: "not-a-token",
])
def test_a_tampered_token_gets_a_clear_404(app, db, client, closed, mangle):
    link = _link(app, db, closed)
    token = link.rsplit("/", 1)[1]
    response = client.get(f"/survey/{mangle(token)}")
    assert response.status_code == 404
    assert "This survey link is not valid." in response.get_data(as_text=True)


def test_an_answer_sent_with_a_tampered_token_writes_nothing(app, db, client, csrf_from, closed):
    link = _link(app, db, closed)
    form_token = csrf_from(client.get(_path(link)).get_data(as_text=True))
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(f"/survey/{tampered}", data={"csrf_token": form_token, "rating": "5"})
    assert response.status_code == 404
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


def test_a_token_signed_for_something_else_is_refused(app, db, client, closed):
    from itsdangerous import URLSafeTimedSerializer

    survey = _surveys(db, closed)[0]
    other = URLSafeTimedSerializer(app.secret_key, salt="another-purpose").dumps({"survey": survey.id})
    assert client.get(f"/survey/{other}").status_code == 404


def test_an_expired_link_gets_410_and_writes_nothing(app, db, client, csrf_from, clock, closed):
    link = _link(app, db, closed)
    token = csrf_from(client.get(_path(link)).get_data(as_text=True))
    clock.advance(days=surveys.SURVEY_DAYS, seconds=1)
    response = client.post(_path(link), data={"csrf_token": token, "rating": "5"})
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


def test_reopening_withdraws_the_question_and_closing_again_asks_again(app, db, client, csrf_from, agent, closed):
    old_link = _link(app, db, closed)
    tickets.reopen_ticket(closed, agent)
    db.session.commit()
    assert client.get(_path(old_link)).status_code == 410
    tickets.close_ticket(closed, agent)
    db.session.commit()
    first, second = _surveys(db, closed)
    assert first.closed_event_id != second.closed_event_id
    new_link = _link(app, db, closed)
    assert new_link != old_link
    token = csrf_from(client.get(_path(new_link)).get_data(as_text=True))
    assert client.post(_path(new_link), data={"csrf_token": token, "rating": "4"}).status_code == 200
    db.session.expire_all()
    assert [s.rating for s in _surveys(db, closed)] == [None, 4]


def test_the_token_allows_nothing_else(app, db, client, shopper, closed):
    link = _link(app, db, closed)
    client.get(_path(link))
    # The survey page signed no one in: the shopper's ticket and orders still ask for the login.
    assert client.get(f"/tickets/{closed.number}").status_code in (302, 401)
    assert client.get("/orders").status_code in (302, 401)


def test_the_signed_in_shopper_answers_on_the_ticket_page(app, db, client, login, csrf_from, shopper, closed):
    login(shopper)
    page = client.get(f"/tickets/{closed.number}")
    body = page.get_data(as_text=True)
    assert "data-survey-form" in body
    response = client.post(f"/tickets/{closed.number}/survey", data={"csrf_token": csrf_from(body), "rating": "1",
                                                                   "comment": "Demorou."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (_surveys(db, closed)[0].rating, _surveys(db, closed)[0].comment) == (1, "Demorou.")
    assert "data-survey-form" not in client.get(f"/tickets/{closed.number}").get_data(as_text=True)


def test_another_shopper_cannot_answer_on_the_ticket_page(app, db, client, login, csrf_from, factory, closed):
    other = factory.user(name="Outra Pessoa")
    login(other)
    token = csrf_from(client.get("/orders").get_data(as_text=True))
    response = client.post(f"/tickets/{closed.number}/survey", data={"csrf_token": token, "rating": "5"})
    assert response.status_code == 404
    db.session.expire_all()
    assert _surveys(db, closed)[0].answered_at is None


def test_the_workspace_shows_the_answer(app, db, client, login, agent, closed):
    survey = _surveys(db, closed)[0]
    surveys.answer(survey, 5, "Ótimo <b>atendimento</b>")
    db.session.commit()
    login(agent)
    body = client.get(f"/staff/tickets/{closed.number}").get_data(as_text=True)
    assert 'data-survey="5"' in body and "5 of 5" in body
    assert "Ótimo &lt;b&gt;atendimento&lt;/b&gt;" in body


def test_the_status_stays_closed_after_answering(db, closed):
    surveys.answer(_surveys(db, closed)[0], "3", "")
    db.session.commit()
    assert closed.status is TicketStatus.closed


def test_the_question_is_the_stores_own_words_in_portuguese(app, db, client, login, shopper, closed):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    login(shopper)
    body = client.get(f"/tickets/{closed.number}").get_data(as_text=True)
    assert "Como você avalia o atendimento?" in body
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = client.get(f"/tickets/{closed.number}").get_data(as_text=True)
    assert "How would you rate the service you received?" in body
