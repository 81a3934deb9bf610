"""The address book: the UF list, the one default address, and two tabs saving the same address (409)."""
import re

import pytest

from portal.accounts import profile
from portal.models import AuditEntry, CustomerAddress

pytestmark = pytest.mark.db

ADDRESS = {"label": "Casa", "name": "Joana Lima", "postal_code": "01001000", "street": "Rua das Flores",
           "number": "120", "complement": "", "district": "Centro", "city": "São Paulo", "state": "SP"}


@pytest.fixture
def shopper(factory, login, db):
    user = factory.user(name="Joana Lima", email="joana@example.com")
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def send(client, csrf_from):
    def _send(url, data, page="/account/addresses"):
        token = csrf_from(client.get(page).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token})
    return _send


def book(db, user):
    db.session.expire_all()
    return list(db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == user.id)
                                   .order_by(CustomerAddress.id)))


def add(send, **change):
    response = send("/account/addresses/new", {**ADDRESS, **change}, page="/account/addresses/new")
    assert response.status_code == 303
    return response


def test_the_state_is_a_select_of_the_27_ufs(client, shopper):
    html = client.get("/account/addresses/new").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="state"', html)
    options = [uf for uf in profile.UFS if f'<option value="{uf}">' in html]
    assert len(options) == len(profile.UFS) == 27 and "DF" in options and "TO" in options
    assert 'for="state"' in html


def test_the_first_address_is_the_default_and_one_default_at_most(client, shopper, send, db):
    add(send)
    add(send, label="Trabalho", street="Avenida Paulista")
    first, second = book(db, shopper)
    assert (first.is_default, second.is_default) == (True, False)
    html = client.get("/account/addresses").get_data(as_text=True)
    assert html.count("data-default-address") == 1 and html.count("data-make-default") == 1

    response = send(f"/account/addresses/{second.id}/default", {})
    assert response.status_code == 303
    first, second = book(db, shopper)
    assert (first.is_default, second.is_default) == (False, True)
    assert "Default address chosen." in client.get("/account/addresses").get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="address.default"))
    assert entry.user_id == shopper.id and entry.on_behalf_of_id is None


def test_deleting_the_default_makes_another_the_default_or_none(client, shopper, send, db):
    add(send)
    add(send, label="Trabalho")
    first, second = book(db, shopper)
    assert send(f"/account/addresses/{first.id}/delete", {}).status_code == 303
    [left] = book(db, shopper)
    assert left.id == second.id and left.is_default
    assert send(f"/account/addresses/{second.id}/delete", {}).status_code == 303
    assert book(db, shopper) == []
    add(send, label="Nova")
    assert book(db, shopper)[0].is_default


def test_another_customers_address_cannot_become_the_default(client, shopper, send, factory, db):
    other = factory.user()
    theirs = CustomerAddress(user_id=other.id, street="Rua Secreta", city="Recife", state="PE",
                             postal_code="50000-000", country="BR")
    db.session.add(theirs)
    db.session.commit()
    assert send(f"/account/addresses/{theirs.id}/default", {}).status_code == 404
    db.session.expire_all()
    assert not db.session.get(CustomerAddress, theirs.id).is_default


def test_a_stale_tab_gets_409_with_its_text_kept_and_saving_again_wins(client, shopper, send, csrf_from, db):
    add(send)
    [address] = book(db, shopper)
    edit = f"/account/addresses/{address.id}/edit"
    first_tab = client.get(edit).get_data(as_text=True)
    second_tab = client.get(edit).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in first_tab

    saved = client.post(edit, data={**ADDRESS, "street": "Rua do Primeiro", "version": "1",
                                    "csrf_token": csrf_from(first_tab)})
    assert saved.status_code == 303
    stale = client.post(edit, data={**ADDRESS, "street": "Rua do Segundo", "version": "1",
                                    "csrf_token": csrf_from(second_tab)})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "changed meanwhile" in html and 'value="Rua do Segundo"' in html
    assert "data-address-conflict" in html and "Rua do Primeiro" in html  # what is saved now is shown
    assert 'name="version" type="hidden" value="2"' in html
    assert book(db, shopper)[0].street == "Rua do Primeiro"

    again = client.post(edit, data={**ADDRESS, "street": "Rua do Segundo", "version": "2",
                                    "csrf_token": csrf_from(html)})
    assert again.status_code == 303
    [address] = book(db, shopper)
    assert (address.street, address.version) == ("Rua do Segundo", 3)


def test_an_edit_without_a_version_is_refused(client, shopper, send, db):
    add(send)
    [address] = book(db, shopper)
    edit = f"/account/addresses/{address.id}/edit"
    assert send(edit, {**ADDRESS, "street": "Rua Sem Versão"}, page=edit).status_code == 409
    assert book(db, shopper)[0].street == "Rua das Flores"


def test_the_customers_own_changes_are_audited_with_the_customer_as_actor(client, shopper, send, db):
    add(send)
    [address] = book(db, shopper)
    edit = f"/account/addresses/{address.id}/edit"
    send(edit, {**ADDRESS, "number": "99", "version": "1"}, page=edit)
    send("/account", {"name": "Joana Souza", "phone": "", "document": ""}, page="/account")
    send(f"/account/addresses/{address.id}/delete", {})
    rows = db.session.scalars(db.select(AuditEntry).where(AuditEntry.user_id == shopper.id)
                              .order_by(AuditEntry.id)).all()
    assert [row.action for row in rows] == ["address.add", "address.update", "account.update", "address.delete"]
    assert all(row.on_behalf_of_id is None for row in rows)
    assert rows[1].before == {"number": "120"} and rows[1].after == {"number": "99"}
    assert "data-service-change" not in client.get("/account/addresses").get_data(as_text=True)
