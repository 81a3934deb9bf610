"""Trusted tracking hosts: validation, pasted links reduced to their host, and the classification test box."""
import pytest

from portal.models import AuditEntry, TrustedHost

HOSTS = "/merchant-admin/hosts"


def _hosts(db):
    return list(db.session.scalars(db.select(TrustedHost.host).order_by(TrustedHost.host)))


def test_add_and_remove_a_host(admin_client, post, db):
    response = post(admin_client, HOSTS, {"host": " Rastreio.Transportadora.COM.br. "}, follow_redirects=True)
    assert response.status_code == 200 and "rastreio.transportadora.com.br is now trusted" in response.get_data(
        as_text=True)
    assert _hosts(db) == ["rastreio.transportadora.com.br"]
    trusted = db.session.scalar(db.select(TrustedHost))
    assert post(admin_client, f"{HOSTS}/{trusted.id}/delete", page=HOSTS).status_code == 302
    assert _hosts(db) == []
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["host.add", "host.remove"]


def test_pasted_link_is_reduced_to_its_host_with_a_notice(admin_client, post, db):
    response = post(admin_client, HOSTS, {"host": "https://Track.Example.com:443/objetos/123?x=1"},
                    follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "only its host, track.example.com, was added" in html
    assert _hosts(db) == ["track.example.com"]


@pytest.mark.parametrize("value, message", [
    ("", "This field is required"),
    ("*.example.com", "Wildcards are not allowed"),
    ("192.168.0.1", "IP addresses are not allowed"),
    ("https://10.0.0.1/track", "IP addresses are not allowed"),
    ("[::1]", "IP addresses are not allowed"),
    ("example.com:8443", "without a port"),
    ("/rastreio", "without a path"),
    ("ftp://example.com", "no usable host name"),
    ("https://user@example.com/", "no usable host name"),
    ("localhost", "Enter a host name such as"),
    ("exa mple.com", "Enter a host name such as"),
    ("xn--80ak6aa92e.com", "International (Unicode or xn--) host names are not supported"),
])
def test_invalid_hosts_are_refused_with_the_value_kept(admin_client, post, db, value, message):
    response = post(admin_client, HOSTS, {"host": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'id="host-error"' in html
    assert _hosts(db) == []


@pytest.mark.parametrize("value", ["rastreamento.transportadora.com.br", "https://transportadora.com.br/x",
                                   "entregas.empresa.com/objetos/1"])
def test_unicode_hosts_get_their_own_message_and_the_value_is_kept(admin_client, post, db, value):
    typed = value.replace("transportadora", "transportadóra").replace("empresa", "empresá")
    response = post(admin_client, HOSTS, {"host": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "International (Unicode or xn--) host names are not supported" in html
    assert "Enter a host name such as" not in html
    assert f'value="{typed}"' in html
    assert _hosts(db) == []


def test_link_pasted_without_a_scheme_is_reduced_to_its_host(admin_client, post, db):
    response = post(admin_client, HOSTS, {"host": "rastreio.x.com.br/objetos/1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "only its host, rastreio.x.com.br, was added" in html
    assert _hosts(db) == ["rastreio.x.com.br"]


def test_link_on_another_port_keeps_the_host_and_says_it_opens_in_a_new_tab(admin_client, post, db):
    response = post(admin_client, HOSTS, {"host": "https://track.example.com:8443/x"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "only its host, track.example.com, was added" in html
    assert "another port than the standard one still open in a new tab" in html
    assert _hosts(db) == ["track.example.com"]
    html = post(admin_client, HOSTS, {"host": "https://other.example.com:443/x"},
                follow_redirects=True).get_data(as_text=True)
    assert "another port" not in html


def test_hosts_form_keeps_the_typed_value_after_an_error(admin_client, post, db):
    response = post(admin_client, HOSTS, {"host": "*.transportadora.com.br"})
    assert response.status_code == 422
    assert 'value="*.transportadora.com.br"' in response.get_data(as_text=True)


def test_duplicate_host_is_refused(admin_client, post, factory):
    factory.trusted_host("track.example.com")
    response = post(admin_client, HOSTS, {"host": "TRACK.example.com"})
    assert response.status_code == 422 and "already on the list" in response.get_data(as_text=True)


@pytest.mark.parametrize("value, kind, reason", [
    ("SS123456785BR", "correios", "correct check digit"),
    ("SS123456784BR", "none", "check digit is wrong"),
    ("https://track.example.com/obj/1", "embed", "opens inside the portal"),
    ("http://track.example.com/obj/1", "new_tab", "not https"),
    ("https://track.example.com:8443/obj/1", "new_tab", "non-standard port"),
    ("https://other.example.org/obj/1", "new_tab", "not on the trusted list"),
    ("javascript:alert(1)", "none", "Neither a valid Correios code"),
])
def test_classification_test_box(admin_client, factory, value, kind, reason):
    factory.trusted_host("track.example.com")
    response = admin_client.get(HOSTS, query_string={"value": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-kind="{kind}"' in html and reason in html
    assert "<script>alert" not in html
