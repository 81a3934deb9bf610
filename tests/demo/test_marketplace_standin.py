"""The demo's stand-in marketplace: answers signed deliveries with 200 and anything else with a 4xx."""
import json
import threading

import pytest
import requests

from portal.demo import marketplace_standin
from portal.marketplaces import signing


@pytest.fixture
def standin():
    server = marketplace_standin.make_server(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_signed_delivery_is_received(standin):
    body = json.dumps({"event_id": "evt-1", "type": "message.created"}).encode()
    headers = {**signing.signed_headers("whsec_demo", body), signing.EVENT_HEADER: "evt-1",
               "Content-Type": "application/json"}
    response = requests.post(f"{standin}/amazon/events", data=body, headers=headers, timeout=5)
    assert response.status_code == 200 and response.json() == {"received": "evt-1", "type": "message.created"}


def test_an_unsigned_or_misdirected_delivery_is_refused(standin):
    assert requests.post(f"{standin}/amazon/events", data=b"{}", timeout=5).status_code == 400
    body = b"{}"
    headers = {**signing.signed_headers("whsec_demo", body), signing.EVENT_HEADER: "evt-2"}
    assert requests.post(f"{standin}/amazon", data=body, headers=headers, timeout=5).status_code == 400

