"""Helpers shared by the API tests."""
import copy

VALID_KEY = "35261112345678000195550010000001231123456788"


def order_body(**changes) -> dict:
    """Return a complete, valid PUT body, with top-level keys replaced by `changes`."""
    body = {
        "customer": {"email": "Ana.Lima@Example.com", "name": "Ana Lima"},
        "channel": "loja",
        "marketplace_order_number": "MLB-998877",
        "delivery_number": "D-1",
        "placed_at": "2026-11-02T10:15:00-03:00",
        "paid_at": "2026-11-02T11:00:00-03:00",
        "shipping_code": "SS987654326BR",
        "carrier": "Correios",
        "payment_method": "Pix",
        "currency": "BRL",
        "totals": {"subtotal": "200.00", "shipping": 15.9, "discount": "0", "total": "215.90"},
        "invoice": {"number": "123", "access_key": VALID_KEY, "url": "https://nfe.example.com/123"},
        "items": [
            {"sku": "CAM-01", "name": "Camiseta", "quantity": 2, "unit_price": "50.00"},
            {"sku": "CAL-02", "name": "Calça", "quantity": 1, "unit_price": 100},
        ],
        "delivery_address": {"name": "Ana Lima", "street": "Rua das Flores", "number": "100",
                             "city": "São Paulo", "state": "SP", "postal_code": "01001-000", "country": "BR"},
        "billing_address": {"name": "Ana Lima", "street": "Rua das Flores", "number": "100",
                            "city": "São Paulo", "state": "SP", "postal_code": "01001-000", "country": "BR"},
    }
    body.update(copy.deepcopy(changes))
    return body


class ApiClient:
    """The test client with a bearer token on every request."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers, **kw)

    def put(self, path: str, body=None, **kw):
        return self.client.put("/api/v1" + path, json=body, headers=self.headers, **kw)

    def post(self, path: str, body=None, **kw):
        return self.client.post("/api/v1" + path, json=body, headers=self.headers, **kw)

    def send(self, method: str, path: str, **kw):
        return self.client.open("/api/v1" + path, method=method, headers=self.headers, **kw)
