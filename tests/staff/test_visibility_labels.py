"""A message the customer reads is labelled for the channel: "Customer" on the store's own, "Customer and
marketplace" where a marketplace reads it too; the history's event for a reply says the same."""
import re

import pytest

pytestmark = pytest.mark.db


def _tags(html: str) -> list[str]:
    return re.findall(r'<span class="visibility-tag visibility-tag--customer">([^<]*)</span>', html)


@pytest.mark.parametrize(("marketplace", "label"), [(False, "Customer"), (True, "Customer and marketplace")])
def test_the_label_names_who_reads_it(client, login, agent, factory, make_ticket, form_of, marketplace, label):
    channel = factory.channel(marketplace=True) if marketplace else None
    ticket = make_ticket(channel=channel)
    assert ticket.channel.is_marketplace is marketplace
    login(agent)
    response = client.post(f"/staff/tickets/{ticket.number}/reply",
                           data={**form_of(ticket.number), "body": "Já verificamos.", "visibility": "customer"})
    assert response.status_code == 302
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert len(_tags(html)) == 2 and set(_tags(html)) == {label}
    event = re.search(r'data-event="message".*?</li>', html, re.S)
    assert event and f": {label}" in event.group(0)
