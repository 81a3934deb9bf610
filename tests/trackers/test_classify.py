"""Tests for tracking value classification, attacks included."""

import random

import pytest

from trackers import TrackingKind, TrackingLink, classify

TRUSTED = ("trusted.com", "Rastreio.Loja.COM.BR.", "tracking.example.net")

CORREIOS = TrackingKind.correios
EMBED = TrackingKind.embed
NEW_TAB = TrackingKind.new_tab
NONE = TrackingKind.none


def correios_url(code):
    return f"https://rastreamento.correios.com.br/app/index.php?objetos={code}"


CASES = [
    # Correios codes with a right check digit.
    ("SS123456785BR", CORREIOS, correios_url("SS123456785BR"), "SS123456785BR"),
    ("ss123456785br", CORREIOS, correios_url("SS123456785BR"), "SS123456785BR"),
    ("  LB000000080BR  ", CORREIOS, correios_url("LB000000080BR"), "LB000000080BR"),
    ("OJ000000120bR", CORREIOS, correios_url("OJ000000120BR"), "OJ000000120BR"),
    # Codes that are not usable.
    ("SS123456784BR", NONE, None, None),
    ("SS123456785US", NONE, None, None),
    ("SS12345678BR", NONE, None, None),
    ("1Z999AA10123456784", NONE, None, None),
    ("PEDIDO-123", NONE, None, None),
    ("", NONE, None, None),
    ("   ", NONE, None, None),
    # Embeds: https, trusted host exactly, default port.
    ("https://trusted.com/track?id=1", EMBED, "https://trusted.com/track?id=1", None),
    ("https://trusted.com", EMBED, "https://trusted.com/", None),
    ("https://TRUSTED.com/A?B=C", EMBED, "https://trusted.com/A?B=C", None),
    ("HTTPS://trusted.com/x", EMBED, "https://trusted.com/x", None),
    ("hTtPs://trusted.com/x", EMBED, "https://trusted.com/x", None),
    ("https://trusted.com./x", EMBED, "https://trusted.com/x", None),
    ("https://trusted.com:443/x", EMBED, "https://trusted.com/x", None),
    ("https://trusted.com/x#frag", EMBED, "https://trusted.com/x#frag", None),
    ("https://trusted.com/x?#", EMBED, "https://trusted.com/x?#", None),
    # Fragments are kept, with anything unsafe percent-encoded; they never change the host.
    ("https://trusted.com/#/pedido/123?aba=eventos", EMBED, "https://trusted.com/#/pedido/123?aba=eventos", None),
    ("https://trusted.com#top", EMBED, "https://trusted.com/#top", None),
    ("https://trusted.com:443?q=1#r", EMBED, "https://trusted.com/?q=1#r", None),
    ("https://trusted.com/x#a#b", EMBED, "https://trusted.com/x#a%23b", None),
    ("https://trusted.com/x#\"><img/src=x>", EMBED, "https://trusted.com/x#%22%3E%3Cimg/src=x%3E", None),
    ("https://trusted.com/x#a b", NONE, None, None),
    ("https://trusted.com/x#'`{|}^\\", EMBED, "https://trusted.com/x#%27%60%7B%7C%7D%5E%5C", None),
    ("https://trusted.com/x#ção", EMBED, "https://trusted.com/x#%C3%A7%C3%A3o", None),
    ("https://trusted.com/x#%41%zz", EMBED, "https://trusted.com/x#%41%zz", None),
    ("https://trusted.com/x#@evil.com", EMBED, "https://trusted.com/x#@evil.com", None),
    ("https://trusted.com#@evil.com/", EMBED, "https://trusted.com/#@evil.com/", None),
    ("https://trusted.com#.evil.com", EMBED, "https://trusted.com/#.evil.com", None),
    ("https://evil.com/x#https://trusted.com/", NEW_TAB, "https://evil.com/x#https://trusted.com/", None),
    ("http://trusted.com/x#y", NEW_TAB, "http://trusted.com/x#y", None),
    ("https://evil.com#trusted.com", NEW_TAB, "https://evil.com/#trusted.com", None),
    ("https://rastreio.loja.com.br/p/123", EMBED, "https://rastreio.loja.com.br/p/123", None),
    ("  https://tracking.example.net/q  ", EMBED, "https://tracking.example.net/q", None),
    ("https://trusted.com/r?u=https://evil.com", EMBED, "https://trusted.com/r?u=https://evil.com", None),
    ("https://trusted.com/a%20b?c=%22", EMBED, "https://trusted.com/a%20b?c=%22", None),
    ("https://trusted.com/pedido/ção?n=joão", EMBED, "https://trusted.com/pedido/%C3%A7%C3%A3o?n=jo%C3%A3o", None),
    ("https://trusted.com/\"><script>?'x'", EMBED, "https://trusted.com/%22%3E%3Cscript%3E?%27x%27", None),
    ("https://trusted.com/x?a=b\\c", EMBED, "https://trusted.com/x?a=b%5Cc", None),
    ("https://trusted.com/x?a={`|^}", EMBED, "https://trusted.com/x?a=%7B%60%7C%5E%7D", None),
    ("https://trusted.com/@evil.com", EMBED, "https://trusted.com/@evil.com", None),
    # New tab: other well-formed http(s) links.
    ("http://trusted.com/x", NEW_TAB, "http://trusted.com/x", None),
    ("http://trusted.com:80/x", NEW_TAB, "http://trusted.com/x", None),
    ("https://trusted.com:8443/x", NEW_TAB, "https://trusted.com:8443/x", None),
    ("http://trusted.com:443/x", NEW_TAB, "http://trusted.com:443/x", None),
    ("https://trusted.com:80/x", NEW_TAB, "https://trusted.com:80/x", None),
    ("https://evil.com/x", NEW_TAB, "https://evil.com/x", None),
    ("http://evil.com", NEW_TAB, "http://evil.com/", None),
    ("https://evil.trusted.com/x", NEW_TAB, "https://evil.trusted.com/x", None),
    ("https://trusted.com.evil.com/x", NEW_TAB, "https://trusted.com.evil.com/x", None),
    ("https://eviltrusted.com/", NEW_TAB, "https://eviltrusted.com/", None),
    ("https://www.jadlog.com.br/tracking?cte=123", NEW_TAB, "https://www.jadlog.com.br/tracking?cte=123", None),
    ("https://a-b.c0m.io:65535/", NEW_TAB, "https://a-b.c0m.io:65535/", None),
    ("https://localhost/x", NEW_TAB, "https://localhost/x", None),
    # Other schemes and shapes that are not links.
    ("javascript:alert(1)", NONE, None, None),
    ("JavaScript://trusted.com/%0aalert(1)", NONE, None, None),
    ("data:text/html,<script>alert(1)</script>", NONE, None, None),
    ("ftp://trusted.com/x", NONE, None, None),
    ("file:///etc/passwd", NONE, None, None),
    ("mailto:a@trusted.com", NONE, None, None),
    ("//trusted.com/x", NONE, None, None),
    ("www.trusted.com/x", NONE, None, None),
    ("trusted.com", NONE, None, None),
    ("https://", NONE, None, None),
    ("https:", NONE, None, None),
    ("https:/evil.com", NONE, None, None),
    ("https:///evil.com", NONE, None, None),
    ("https:////evil.com", NONE, None, None),
    ("https//trusted.com", NONE, None, None),
    ("httpss://trusted.com", NONE, None, None),
    (" https ://trusted.com", NONE, None, None),
    # Userinfo: Python and browsers can disagree on where it ends.
    ("https://trusted.com@evil.com", NONE, None, None),
    ("https://user:pass@trusted.com/", NONE, None, None),
    ("https://@trusted.com/", NONE, None, None),
    ("https://evil.com\\@trusted.com", NONE, None, None),
    ("https://trusted.com:443@evil.com", NONE, None, None),
    ("https://trusted.com%40evil.com", NONE, None, None),
    # Backslashes before the path ends.
    ("https://trusted.com\\evil.com", NONE, None, None),
    ("https:\\\\evil.com", NONE, None, None),
    ("https:/\\evil.com", NONE, None, None),
    ("https://trusted.com/a\\b", NONE, None, None),
    ("https://trusted.com\\.evil.com/", NONE, None, None),
    # Controls and whitespace inside: WHATWG strips them, Python keeps them.
    ("https://tru\nsted.com/", NONE, None, None),
    ("https://tru\tsted.com/", NONE, None, None),
    ("https://trusted.com\r/", NONE, None, None),
    ("https://trusted.com/x\n", NONE, None, None),
    ("\thttps://trusted.com/", NONE, None, None),
    ("https://trusted.com/a b", NONE, None, None),
    ("https://trusted.com\x00.evil.com/", NONE, None, None),
    ("https://trusted.com/\x7f", NONE, None, None),
    ("https://trusted.com/\x85", NONE, None, None),
    ("https://trusted.com/\u00a0", NONE, None, None),
    ("https://trusted.com/\u2028", NONE, None, None),
    ("https://trusted.com/\u200b", NONE, None, None),
    ("https://trusted.com/\u202e", NONE, None, None),
    ("https://trusted.com/\ud800", NONE, None, None),
    # Percent-encoding in the host.
    ("https://%74rusted.com/", NONE, None, None),
    ("https://trusted%2ecom/", NONE, None, None),
    ("https://trusted.com%2f@evil.com/", NONE, None, None),
    # IP literals in every spelling a browser accepts.
    ("https://127.0.0.1/", NONE, None, None),
    ("https://2130706433/", NONE, None, None),
    ("https://0177.0.0.1/", NONE, None, None),
    ("https://0x7f.1/", NONE, None, None),
    ("https://0x7f000001/", NONE, None, None),
    ("https://127.1/", NONE, None, None),
    ("https://1.2.3.4./", NONE, None, None),
    ("https://foo.0x/", NONE, None, None),
    ("https://foo.0xAb/", NONE, None, None),
    ("https://trusted.com.123/", NONE, None, None),
    ("https://[::1]/", NONE, None, None),
    ("https://[::ffff:7f00:1]/", NONE, None, None),
    ("https://[fe80::1%25eth0]/", NONE, None, None),
    # Hosts that are not plain LDH DNS names.
    ("https://trusted。com/", NONE, None, None),
    ("https://trusted．com/", NONE, None, None),
    ("https://trustéd.com/", NONE, None, None),
    ("https://truѕted.com/", NONE, None, None),
    ("https://ｔｒｕｓｔｅｄ.com/", NONE, None, None),
    ("https://xn--trsted-9ya.com/", NONE, None, None),
    ("https://www.XN--80ak6aa92e.com/", NONE, None, None),
    ("https://trusted..com/", NONE, None, None),
    ("https://.trusted.com/", NONE, None, None),
    ("https://trusted.com../", NONE, None, None),
    ("https://-trusted.com/", NONE, None, None),
    ("https://trusted-.com/", NONE, None, None),
    ("https://tru_sted.com/", NONE, None, None),
    ("https://tru*sted.com/", NONE, None, None),
    ("https://tru'sted.com/", NONE, None, None),
    ("https://" + "a" * 64 + ".com/", NONE, None, None),
    ("https://" + ("a" * 60 + ".") * 5 + "com/", NONE, None, None),
    # Ports that are not a decimal 1-65535.
    ("https://trusted.com:/x", NONE, None, None),
    ("https://trusted.com:0/x", NONE, None, None),
    ("https://trusted.com:0443/x", NONE, None, None),
    ("https://trusted.com:65536/x", NONE, None, None),
    ("https://trusted.com:99999999/x", NONE, None, None),
    ("https://trusted.com:-1/x", NONE, None, None),
    ("https://trusted.com:+443/x", NONE, None, None),
    ("https://trusted.com:0x1bb/x", NONE, None, None),
    ("https://trusted.com:٤٤٣/x", NONE, None, None),
    ("https://trusted.com:443:443/x", NONE, None, None),
    ("https://trusted.com:https/x", NONE, None, None),
    # Lengths.
    ("https://trusted.com/" + "a" * 2029, NONE, None, None),
    ("https://trusted.com/" + "a" * 3000, NONE, None, None),
]


@pytest.mark.parametrize(("value", "kind", "url", "code"), CASES)
def test_classify(value, kind, url, code):
    assert classify(value, TRUSTED) == TrackingLink(kind, url, code)


def test_classify_accepts_values_at_the_length_limit():
    value = "https://trusted.com/" + "a" * (2048 - len("https://trusted.com/"))
    assert classify(value, TRUSTED) == TrackingLink(EMBED, value, None)


def test_kinds_are_strings():
    assert [kind.value for kind in TrackingKind] == ["correios", "embed", "new_tab", "none"]
    assert TrackingKind.embed == "embed"


def test_trusted_list_matches_exactly_after_lower_casing():
    assert classify("https://trusted.com/", []).kind is NEW_TAB
    assert classify("https://trusted.com/", ["TRUSTED.COM"]).kind is EMBED
    assert classify("https://trusted.com/", ["com"]).kind is NEW_TAB
    assert classify("https://sub.trusted.com/", ["trusted.com"]).kind is NEW_TAB
    assert classify("https://trusted.com/", ["sub.trusted.com"]).kind is NEW_TAB
    assert classify("https://trusted.com/", iter(["trusted.com"])).kind is EMBED
    assert classify("https://trusted.com/", "trusted.com").kind is EMBED


@pytest.mark.parametrize("trusted", [None, 42, [None, 3, b"trusted.com"], [["trusted.com"]]])
def test_odd_trusted_lists_do_not_raise(trusted):
    assert classify("https://trusted.com/", trusted).kind is NEW_TAB


@pytest.mark.parametrize(
    "value", [None, 0, 3.5, b"https://trusted.com/", bytearray(b"x"), ["https://trusted.com/"], object()]
)
def test_non_strings_are_none(value):
    assert classify(value, TRUSTED) == TrackingLink(NONE, None, None)


ALPHABET = (
    "abcxyzTRUSTED.com0123456789-_:/\\?#@%[]&=+;,'\"<>`{}|^~!$*() \t\r\n\x00\x1f\x7f\x85\xa0"
    "çãé。．＠／ｈ\u200b\u202e\u2028\ufeff\ud800\udfff\U0001f600"
)
PREFIXES = ["", "https://", "http://", "HTTPS://", "https://trusted.com", "https:", "//", "SS", "javascript:"]


def _fuzz_values(count, seed=20261123):
    rng = random.Random(seed)
    for _ in range(count):
        length = rng.choice([0, 1, 2, 5, 13, 30, 80, 300])
        body = "".join(rng.choice(ALPHABET) for _ in range(length))
        yield rng.choice(PREFIXES) + body
    for _ in range(200):
        yield "".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(1, 40)))
    yield "https://trusted.com/" + "a" * 1_000_000
    yield "\x00" * 5000
    yield "https://" + "a." * 1000 + "com"


def test_fuzz_never_raises():
    kinds = set()
    for value in _fuzz_values(4000):
        link = classify(value, TRUSTED)
        assert isinstance(link, TrackingLink)
        kinds.add(link.kind)
        if link.kind in (EMBED, NEW_TAB):
            assert link.url.isascii() and link.url.isprintable()
            assert not any(ch in link.url for ch in " \\\"'<>`")
            assert link.code is None
        elif link.kind is NONE:
            assert link.url is None and link.code is None
    assert NONE in kinds
