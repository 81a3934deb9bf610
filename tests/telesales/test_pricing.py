"""Manual prices: typed amounts become integer cents; every bad price is refused with its own message."""
import pytest

from portal.core.errors import ValidationError
from portal.models import Cart, CartItem
from portal.telesales import pricing

pytestmark = pytest.mark.db


@pytest.mark.parametrize(("text", "cents"), [
    ("12", 1200), ("12,5", 1250), ("12,50", 1250), ("12.05", 1205), (" R$ 0,01 ", 1), ("1000", 100000),
])
def test_amounts_become_cents(text, cents):
    assert pricing.parse_cents(text) == cents


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter an amount."),
    ("0", "The amount must be more than zero."),
    ("0,00", "The amount must be more than zero."),
    ("-5", "The amount cannot be negative."),
    ("-0,01", "The amount cannot be negative."),
    ("abc", "Enter the amount as a number, such as 49,90."),
    ("1.000,00", "Enter the amount as a number, such as 49,90."),
    ("1e3", "Enter the amount as a number, such as 49,90."),
    ("12,345", "The amount can have at most two decimals."),
    ("12.001", "The amount can have at most two decimals."),
])
def test_bad_amounts_are_refused_with_a_clear_message(app, text, message):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationError) as error:
            pricing.parse_cents(text)
        assert str(error.value.message) == message


def _item(db, products):
    cart = Cart(operator_id=None, state="open")
    item = CartItem(product=products["CAM-001"], sku="CAM-001", name="Camiseta", quantity=1,
                    list_price_cents=4990, unit_price_cents=4990)
    cart.items.append(item)
    return item


def test_a_manual_price_goes_up_or_down_with_its_reason(app, db, products):
    item = _item(db, products)
    with app.test_request_context():
        pricing.set_manual_price(item, "39,90", "cliente fiel")
        assert (item.unit_price_cents, item.manual_reason, item.is_manual) == (3990, "cliente fiel", True)
        pricing.set_manual_price(item, "59,90", "embalagem especial")
        assert item.unit_price_cents == 5990 and item.list_price_cents == 4990


def test_a_price_above_the_ceiling_or_without_a_reason_is_refused(app, db, products, settings):
    settings.manual_price_ceiling_cents = 10000
    db.session.flush()
    item = _item(db, products)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationError) as error:
            pricing.set_manual_price(item, "100,01", "muito caro")
        assert "cannot be above 100.00" in str(error.value.message)
        pricing.set_manual_price(item, "100,00", "no teto")
        with pytest.raises(ValidationError) as error:
            pricing.set_manual_price(item, "50", "  ")
        assert error.value.field == "reason"
    assert item.unit_price_cents == 10000


@pytest.mark.parametrize("price", ["0", "-1", "abc", "1,234", "999999999"])
def test_the_cart_page_refuses_bad_prices_with_422_and_keeps_the_price(client, login, operator, customer, products,
                                                                       act, post, db, price):
    login(operator)
    act(operator, customer)
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "1"})
    item = db.session.scalar(db.select(CartItem))
    response = post(f"/telesales/cart/items/{item.id}/price", {"price": price, "reason": "desconto"})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CartItem, item.id).unit_price_cents == 4990
