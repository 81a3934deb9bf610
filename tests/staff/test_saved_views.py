"""Saved queue views: personal and shared, their counts beside the tabs, renaming and deleting, a broken one."""
import re

import pytest

from portal.models import Role, SavedView
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db


def views_on(html: str) -> dict[str, str]:
    """Return each shown view's name and count."""
    found = re.findall(r'data-view="\d+"[^>]*>\s*<a[^>]*>\s*([^<]+?)\s*(?:<span class="muted">[^<]*</span>)?\s*'
                       r'<span[^>]*data-view-count>([^<]+)<', html)
    return dict(found)


def save(client, csrf_from, name, query, shared=False):
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    data = {"csrf_token": token, "name": name, "query": query}
    if shared:
        data["shared"] = "y"
    return client.post("/staff/views", data=data)


def test_a_personal_view_is_the_owners_and_a_shared_one_the_teams(client, login, agent, colleague, make_ticket,
                                                                    csrf_from, factory, db):
    channel = factory.channel()
    make_ticket(channel=channel), make_ticket(channel=channel), make_ticket()
    login(agent)
    assert save(client, csrf_from, "Marketplace", f"channel={channel.id}").status_code == 302
    assert save(client, csrf_from, "Team queue", "tab=open", shared=True).status_code == 302
    html = client.get("/staff/").get_data(as_text=True)
    assert views_on(html) == {"Marketplace": "2", "Team queue": "3"}
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(colleague)
    assert views_on(client.get("/staff/").get_data(as_text=True)) == {"Team queue": "3"}


def test_a_views_count_follows_its_own_tab(client, login, agent, make_ticket, csrf_from, db):
    waiting, _ = make_ticket(), make_ticket()
    tickets.reply_as_staff(waiting, agent, "Resposta", tickets.Visibility.customer, expected_version=waiting.version)
    db.session.commit()
    login(agent)
    save(client, csrf_from, "Waiting", "tab=waiting")
    html = client.get("/staff/?tab=open").get_data(as_text=True)
    assert views_on(html) == {"Waiting": "1"}
    link = re.search(r'href="([^"]*view=\d+[^"]*)"', html).group(1).replace("&amp;", "&")
    assert re.findall(r'data-ticket="(\d{11})"', client.get(link).get_data(as_text=True)) == [waiting.number]


def test_the_queue_costs_the_same_queries_with_one_view_and_with_ten(client, login, agent, make_ticket, csrf_from,
                                                                     count_queries, factory, db):
    make_ticket()
    login(agent)
    save(client, csrf_from, "View 0", "tab=open")
    client.get("/staff/")
    with count_queries() as one:
        client.get("/staff/")
    for n in range(1, 10):
        db.session.add(SavedView(owner_id=agent.id, name=f"View {n}", filter_query=f"tab=open&sort=newest&page={n}"))
    db.session.commit()
    client.get("/staff/")
    with count_queries() as ten:
        html = client.get("/staff/").get_data(as_text=True)
    assert len(views_on(html)) == 10
    assert len(ten) == len(one)


def test_names_are_required_unique_and_views_capped(client, login, agent, csrf_from, db):
    db.session.commit()  # the agent outlives the refused posts' rollback
    login(agent)
    assert save(client, csrf_from, "  ", "tab=open").status_code == 422
    assert save(client, csrf_from, "Mine", "tab=open").status_code == 302
    response = save(client, csrf_from, "Mine", "tab=waiting")
    assert response.status_code == 422 and "already have a view named" in response.get_data(as_text=True)
    for n in range(9):
        db.session.add(SavedView(owner_id=agent.id, name=f"View {n}", filter_query="tab=open"))
    db.session.commit()
    response = save(client, csrf_from, "Eleventh", "tab=open")
    assert response.status_code == 422 and "delete one before saving another" in response.get_data(as_text=True)
    assert response.get_data(as_text=True).count('data-view="') == 10


def test_filters_that_do_not_read_are_not_saved(client, login, agent, csrf_from, db):
    db.session.commit()
    login(agent)
    response = save(client, csrf_from, "Bad", "date_from=31/12/2026")
    assert response.status_code == 422 and 'data-view-error' in response.get_data(as_text=True)
    assert db.session.query(SavedView).count() == 0


def test_a_stored_filter_that_no_longer_reads_is_shown_without_a_count(client, login, agent, make_ticket, db):
    make_ticket()
    db.session.add(SavedView(owner_id=agent.id, name="Old sort", filter_query="sort=priority"))
    db.session.commit()
    login(agent)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "data-view-broken" in response.get_data(as_text=True)


def test_only_the_owner_or_an_admin_changes_a_shared_view(client, login, agent, colleague, factory, csrf_from, db):
    admin = factory.user(role=Role.admin)
    shared = SavedView(owner_id=agent.id, name="Team", filter_query="tab=open", shared=True)
    private = SavedView(owner_id=agent.id, name="Mine", filter_query="tab=open")
    db.session.add_all([shared, private])
    db.session.commit()
    login(colleague)
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/views/{shared.id}/delete", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/staff/views/{private.id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/staff/views/{shared.id}/rename",
                       data={"csrf_token": token, "name": "Taken"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(admin)
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/views/{shared.id}/delete", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/staff/views/{private.id}/delete", data={"csrf_token": token}).status_code == 404
    assert [view.name for view in db.session.query(SavedView).all()] == ["Mine"]


def test_the_owner_renames_and_deletes(client, login, agent, csrf_from, db):
    view = SavedView(owner_id=agent.id, name="Mine", filter_query="tab=open")
    db.session.add(view)
    db.session.commit()
    login(agent)
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/views/{view.id}/rename", data={"csrf_token": token, "name": "Ours"}).status_code == 302
    assert "Ours" in views_on(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/views/{view.id}/delete", data={}).status_code == 400
    assert client.post(f"/staff/views/{view.id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.query(SavedView).count() == 0


