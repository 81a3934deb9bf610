"""A form control is `required` exactly when its field is: an optional field carries no `required` attribute.

HTML reads the attribute's presence, whatever its value, so `required="None"` made the browser refuse to send
a form whose optional field (a colour, a note, a checkbox) was left empty.
"""
import re

import pytest

from portal.models import Role

pytestmark = pytest.mark.db

PAGES = ["/merchant-admin/channels/new", "/merchant-admin/text-modules/new", "/merchant-admin/hosts",
         "/merchant-admin/settings", "/merchant-admin/staff", "/merchant-admin/statuses/new", "/staff/tickets/new"]


@pytest.mark.parametrize("path", PAGES)
def test_optional_fields_are_not_required_and_required_ones_are(client, login, factory, db, path):
    admin = factory.user(role=Role.admin, name="Admin")
    db.session.commit()
    login(admin)
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert not re.search(r'required="(None|False)"', html), path
    if path == "/merchant-admin/hosts":  # the host to trust is required; nothing else on the page is
        assert re.search(r'<input [^>]*name="host"[^>]*required', html)
