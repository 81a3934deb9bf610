"""An unknown channel code is answered exactly as a bad signature, after the same work: codes cannot be probed."""
import json
import statistics
import time

import pytest

from .conftest import CHANNEL, counts, payload

pytestmark = pytest.mark.db

REQUEST_ID = "probe-1"
TRIES = 20
# Noise on a busy CI machine stays well under this; work that only one path does (a query, a sleep) shows.
TIMING_BOUND_SECONDS = 0.005


def _answer(response) -> tuple:
    return response.status_code, response.get_data(), response.headers["Content-Type"]


@pytest.fixture
def probe(deliver):
    body = json.dumps(payload()).encode()

    def _probe(kind: str):
        headers = {"X-Request-ID": REQUEST_ID}
        if kind == "unknown channel":
            return deliver(body, code="no-such-market", headers=headers)
        if kind == "not integrated":
            return deliver(body, code="mercado_livre", headers=headers)
        return deliver(body, code=CHANNEL, secret="whsec_a_guess", headers=headers)
    return _probe


def test_an_unknown_channel_and_a_bad_signature_get_the_same_answer(db, factory, marketplace, probe):
    factory.channel("mercado_livre", "Mercado Livre")  # a marketplace, but not integrated
    factory.db.session.commit()
    bad_signature = _answer(probe("bad signature"))
    assert bad_signature[0] == 401
    assert json.loads(bad_signature[1])["error"]["code"] == "signature_invalid"
    assert _answer(probe("unknown channel")) == bad_signature
    assert _answer(probe("not integrated")) == bad_signature
    assert counts(db) == (0, 0, 0)


def test_an_unknown_channel_takes_as_long_as_a_bad_signature(db, marketplace, probe):
    kinds = ("unknown channel", "bad signature")
    for kind in kinds:  # warm both paths (first queries, compiled statements)
        probe(kind)
    differences = []
    for attempt in range(TRIES):
        spent = {}
        for kind in kinds if attempt % 2 else reversed(kinds):  # each goes first half the time
            start = time.perf_counter()
            probe(kind)
            spent[kind] = time.perf_counter() - start
        differences.append(spent["unknown channel"] - spent["bad signature"])
    # The median of paired differences: a burst of load on the machine hits both halves of a pair alike.
    assert abs(statistics.median(differences)) < TIMING_BOUND_SECONDS, differences
