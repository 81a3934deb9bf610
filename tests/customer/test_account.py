""""Minha conta": personal data and the address book, kept by the shopper or by an operator serving them."""
import time

import pytest

from portal.models import AuditEntry, CustomerAddress, Role, User

pytestmark = pytest.mark.db

ADDRESS = {"label": "Casa", "name": "Joana Lima", "postal_code": "01001000", "street": "Rua das Flores",
           "number": "120", "complement": "ap 3", "district": "Centro", "city": "São Paulo", "state": "sp"}


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def shopper(factory, login, db):
    user = factory.user(name="Joana Lima", email="joana@example.com", phone="(11) 91234-5678")
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def send(client, csrf_from):
    """Post a form with a token from the given page (the account page by default)."""
    def _send(url, data, page="/account"):
        token = csrf_from(client.get(page).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token})
    return _send


def fresh(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def addresses_of(db, user):
    return list(db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == user.id)))


def test_the_page_shows_the_data_and_the_email_only_as_text(client, shopper):
    html = client.get("/account").get_data(as_text=True)
    assert 'data-account-email>joana@example.com<' in html
    assert 'name="email"' not in html and 'name="password"' not in html  # changed on pages of their own
    assert 'href="/account/email"' in html and 'href="/account/password"' in html
    assert 'value="Joana Lima"' in html and 'value="(11) 91234-5678"' in html
    assert 'for="document"' in html  # every field has its label


@pytest.mark.parametrize("raw, stored, shown", [
    ("529.982.247-25", "52998224725", "529.982.247-25"),
    ("52998224725", "52998224725", "529.982.247-25"),
    ("11.222.333/0001-81", "11222333000181", "11.222.333/0001-81"),
    ("", None, ""),
])
def test_saving_keeps_the_cpf_or_cnpj_as_digits_and_shows_it_formatted(client, shopper, send, db, raw, stored,
                                                                         shown):
    response = send("/account", {"name": " Joana Souza ", "phone": "(21) 99876-5432", "document": raw})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    user = fresh(db, shopper)
    assert (user.name, user.phone, user.document) == ("Joana Souza", "(21) 99876-5432", stored)
    html = client.get("/account").get_data(as_text=True)
    assert "Your details were saved." in html and f'value="{shown}"' in html
    assert "data-service-change" not in html  # the shopper's own change is not "by customer service"


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "phone": "", "document": ""}, "name", "This field is required."),
    ({"name": "   ", "phone": "", "document": ""}, "name", "This field is required."),
    ({"name": "Joana", "phone": "ligue amanhã", "document": ""}, "phone", "area code"),
    ({"name": "Joana", "phone": "", "document": "529.982.247-26"}, "document", "This CPF is not valid."),
    ({"name": "Joana", "phone": "", "document": "111.111.111-11"}, "document", "This CPF is not valid."),
    ({"name": "Joana", "phone": "", "document": "11.222.333/0001-82"}, "document", "This CNPJ is not valid."),
    ({"name": "Joana", "phone": "", "document": "12345"}, "document", "This CPF is not valid."),
    ({"name": "J" * 201, "phone": "", "document": ""}, "name", "200"),
])
def test_bad_data_is_refused_with_a_message_and_nothing_is_written(client, shopper, send, db, data, field,
                                                                     message):
    response = send("/account", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'id="{field}"' in html and 'aria-invalid="true"' in html
    user = fresh(db, shopper)
    assert (user.name, user.phone, user.document) == ("Joana Lima", "(11) 91234-5678", None)


def test_a_post_without_the_csrf_token_changes_nothing(client, shopper, db):
    response = client.post("/account", data={"name": "Outra", "phone": "", "document": ""})
    assert response.status_code == 400
    assert fresh(db, shopper).name == "Joana Lima"


def test_the_address_book_adds_edits_and_deletes(client, shopper, send, db):
    assert "data-no-addresses" in client.get("/account/addresses").get_data(as_text=True)
    response = send("/account/addresses/new", ADDRESS, page="/account/addresses/new")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/addresses")
    [address] = addresses_of(db, shopper)
    assert (address.postal_code, address.state, address.country) == ("01001-000", "SP", "BR")
    html = client.get("/account/addresses").get_data(as_text=True)
    assert "Address added." in html and "Rua das Flores, 120" in html and "01001-000" in html

    edit = f"/account/addresses/{address.id}/edit"
    assert 'value="Rua das Flores"' in client.get(edit).get_data(as_text=True)
    assert send(edit, {**ADDRESS, "street": "Avenida Paulista", "number": "1000", "version": "1"},
                page=edit).status_code == 303
    db.session.expire_all()
    assert addresses_of(db, shopper)[0].street == "Avenida Paulista"

    assert send(f"/account/addresses/{address.id}/delete", {}, page="/account/addresses").status_code == 303
    assert addresses_of(db, shopper) == []
    assert "Address deleted." in client.get("/account/addresses").get_data(as_text=True)


@pytest.mark.parametrize("change, field, message", [
    ({"postal_code": "0100-100"}, "postal_code", "eight digits"),
    ({"postal_code": "ABCDEFGH"}, "postal_code", "eight digits"),
    ({"state": "São"}, "state", "Choose the state (UF) from the list."),
    ({"state": "1"}, "state", "Choose the state (UF) from the list."),
    ({"state": "XX"}, "state", "Choose the state (UF) from the list."),
    ({"state": ""}, "state", "Choose the state (UF) from the list."),
    ({"postal_code": ""}, "postal_code", "This field is required."),
    ({"street": ""}, "street", "This field is required."),
    ({"street": "   "}, "street", "This field is required."),
    ({"city": ""}, "city", "This field is required."),
    ({"complement": "x" * 101}, "complement", "100"),
])
def test_a_bad_address_is_refused_with_a_message_and_nothing_is_added(client, shopper, send, db, change, field,
                                                                        message):
    response = send("/account/addresses/new", {**ADDRESS, **change}, page="/account/addresses/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'id="{field}"' in html
    assert addresses_of(db, shopper) == []


def test_a_bad_edit_keeps_the_old_address(client, shopper, send, db):
    send("/account/addresses/new", ADDRESS, page="/account/addresses/new")
    [address] = addresses_of(db, shopper)
    edit = f"/account/addresses/{address.id}/edit"
    response = send(edit, {**ADDRESS, "street": "Rua Nova", "postal_code": "123", "version": "1"}, page=edit)
    assert response.status_code == 422
    db.session.expire_all()
    assert addresses_of(db, shopper)[0].street == "Rua das Flores"


def test_another_customers_address_is_404_for_every_verb(client, shopper, send, factory, db):
    other = factory.user(name="Pedro Outro")
    theirs = CustomerAddress(user_id=other.id, street="Rua Secreta", number="7", city="Recife", country="BR")
    db.session.add(theirs)
    db.session.commit()
    edit = f"/account/addresses/{theirs.id}/edit"
    assert client.get(edit).status_code == 404
    assert send(edit, ADDRESS, page="/account/addresses").status_code == 404
    assert send(f"/account/addresses/{theirs.id}/delete", {}, page="/account/addresses").status_code == 404
    assert "Rua Secreta" not in client.get("/account/addresses").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CustomerAddress, theirs.id).street == "Rua Secreta"


def test_an_address_delete_without_the_csrf_token_keeps_it(client, shopper, send, db):
    send("/account/addresses/new", ADDRESS, page="/account/addresses/new")
    [address] = addresses_of(db, shopper)
    client.post(f"/account/addresses/{address.id}/delete", data={})
    assert len(addresses_of(db, shopper)) == 1


def test_changes_made_while_serving_are_audited_and_shown_to_the_customer(app, client, factory, login, send, db,
                                                                            csrf_from):
    customer = factory.user(name="Joana Lima", email="joana@example.com")
    operator = factory.user(role=Role.operator, name="Otávio Operador")
    login(operator)
    with client.session_transaction() as session:
        session["acting"] = {"customer": customer.id, "operator": operator.id, "seen": int(time.time())}
    assert send("/account", {"name": "Joana Lima", "phone": "(11) 3333-4444", "document": "52998224725"}
                ).status_code == 303
    assert send("/account/addresses/new", ADDRESS, page="/account/addresses/new").status_code == 303
    assert fresh(db, customer).document == "52998224725" and fresh(db, operator).phone is None
    rows = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.in_(("account.update", "address.add")))
                              .order_by(AuditEntry.id)).all()
    assert [(r.action, r.user_id, r.on_behalf_of_id) for r in rows] == [
        ("account.update", operator.id, customer.id), ("address.add", operator.id, customer.id)]
    assert rows[0].before == {"phone": None, "document": None}
    assert rows[0].after == {"phone": "(11) 3333-4444", "document": "52998224725"}

    own = app.test_client()
    own.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(own.get("/login").get_data(as_text=True))
    own.post("/login", data={"email": customer.email, "password": "correct horse 1", "csrf_token": token})
    for path in ("/account", "/account/addresses"):
        html = own.get(path).get_data(as_text=True)
        assert "data-service-change" in html and "Last changed by customer service" in html, path
        assert "data-acting-bar" not in html and "Otávio" not in html, path


def test_staff_have_no_account_page_of_their_own(client, factory, login):
    login(factory.user(role=Role.agent))
    assert client.get("/account").status_code == 403
    assert client.get("/account/addresses").status_code == 403
