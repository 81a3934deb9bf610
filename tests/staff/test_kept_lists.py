"""The channels, reasons and colleagues the staff pages list are kept by the process until one of them changes.

A change made anywhere (here, straight through the session, as another process would) gives the settings a new
lists token, and the next page reads the lists again; while nothing changes, a page reads none of them.
"""
import re

import pytest

from portal.models import Role, StoreSettings, TicketReason, User

pytestmark = pytest.mark.db


def _assignees(html: str) -> list[str]:
    group = re.search(r'<optgroup label="Colleagues">(.*?)</optgroup>', html, re.S)
    return re.findall(r"<option [^>]*>([^<]+)</option>", group.group(1)) if group else []


def _channels(html: str) -> list[str]:
    select = re.search(r'<select [^>]*id="q-channel".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def _list_reads(statements) -> list[str]:
    return [s for s in statements if re.search(r"FROM (channels|ticket_reasons)\b", s)
            or ("FROM users" in s and "users.role IN" in s)]


def test_while_nothing_changes_the_queue_reads_no_list(client, login, agent, ticket, factory, count_queries, db):
    factory.channel()
    db.session.commit()
    login(agent)
    first = client.get("/staff/").get_data(as_text=True)
    with count_queries() as statements:
        again = client.get("/staff/").get_data(as_text=True)
    assert _list_reads(statements) == [], statements
    assert _channels(again) == _channels(first) and "Mercado Livre" in _channels(again)


def test_a_channel_renamed_elsewhere_shows_on_the_next_page(client, login, agent, ticket, factory, db,
                                                            count_queries):
    factory.channel()
    db.session.commit()
    login(agent)
    assert "Mercado Livre" in _channels(client.get("/staff/").get_data(as_text=True))
    channel = factory.channel()
    channel.name = "Mercado Livre BR"
    db.session.commit()
    with count_queries() as statements:
        html = client.get("/staff/").get_data(as_text=True)
    assert "Mercado Livre BR" in _channels(html) and "Mercado Livre" not in _channels(html)
    assert len(_list_reads(statements)) == 3, statements


def test_a_new_channel_and_a_new_reason_show_at_once(client, login, agent, ticket, factory, db):
    login(agent)
    client.get("/staff/")
    factory.channel(code="shopee", name="Shopee")
    db.session.add(TicketReason(code="garantia", label="Garantia estendida", position=99))
    db.session.commit()
    html = client.get("/staff/").get_data(as_text=True)
    assert "Shopee" in _channels(html) and ">Garantia estendida</option>" in html


def test_colleagues_added_deactivated_promoted_and_renamed_show_at_once(client, login, agent, colleague, shopper,
                                                                       factory, ticket, db):
    login(agent)
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Bruno Colega"]
    newcomer = factory.user(role=Role.operator, name="Carla Nova")
    db.session.commit()
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Bruno Colega", "Carla Nova"]
    colleague.active = False
    shopper.role = Role.agent
    db.session.commit()
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Carla Nova", "Joana Lima"]
    newcomer.name = "Carla Souza"
    db.session.commit()
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Carla Souza", "Joana Lima"]
    # The workspace's forwarding list reads the same lists.
    workspace = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert ">Carla Souza</option>" in workspace and "Bruno Colega</option>" not in workspace


def test_a_shoppers_own_change_keeps_the_lists(client, login, agent, shopper, ticket, db, count_queries):
    login(agent)
    client.get("/staff/")
    token = db.session.get(StoreSettings, 1).lists_version
    shopper.name = "Joana Lima Souza"
    shopper.phone = "11999990000"
    db.session.commit()
    assert db.session.get(StoreSettings, 1).lists_version == token
    with count_queries() as statements:
        client.get("/staff/")
    assert _list_reads(statements) == []


def test_a_change_rolled_back_after_a_page_read_it_leaves_nothing_a_later_change_could_match(
        client, login, agent, ticket, factory, db):
    login(agent)
    client.get("/staff/")
    channel = factory.channel()
    db.session.commit()
    attempt = db.session.begin_nested()
    channel.name = "Nome provisório"
    db.session.flush()
    assert "Nome provisório" in _channels(client.get("/staff/").get_data(as_text=True))
    attempt.rollback()
    assert "Mercado Livre" in _channels(client.get("/staff/").get_data(as_text=True))
    channel.name = "Nome definitivo"
    db.session.commit()
    html = client.get("/staff/").get_data(as_text=True)
    assert "Nome definitivo" in _channels(html) and "Nome provisório" not in html


def test_a_kept_reason_is_labelled_in_each_pages_language(client, login, agent, ticket, db):
    login(agent)
    english = client.get("/staff/").get_data(as_text=True)
    portuguese = client.get("/staff/", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert ">Where is my order?</option>" in english and ">Onde está meu pedido?</option>" in portuguese


def test_a_bulk_statement_of_the_orm_renews_the_lists_too(client, login, agent, colleague, ticket, db):
    login(agent)
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Bruno Colega"]
    db.session.execute(db.update(User).where(User.id == colleague.id).values(name="Bruno Souza"))
    db.session.commit()
    assert _assignees(client.get("/staff/").get_data(as_text=True)) == ["Bruno Souza"]
