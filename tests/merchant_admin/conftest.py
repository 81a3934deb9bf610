"""Fixtures for the merchant area: an admin and clients signed in as any persona."""
import pytest

from portal.models import Role

from ..factories import PASSWORD


@pytest.fixture
def admin(factory):
    return factory.user(Role.admin, name="Ana Admin")


@pytest.fixture
def sign_in(app, csrf_from):
    """Return a new test client, reading English, signed in as the user through the real login form."""
    def _sign_in(user, password=PASSWORD):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if user is None:
            return client
        page = client.get("/login")
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302, "the test user could not sign in"
        return client
    return _sign_in


@pytest.fixture
def admin_client(db, admin, sign_in):
    return sign_in(admin)


@pytest.fixture
def post(db, csrf_from):
    """Post a form the way a browser does: fetch the page, take its CSRF token, send the values.

    The test's own changes are committed first (into the test's outer transaction, still rolled back at the
    end): a request shares the test's app context and session, so a view's rollback would otherwise undo them.
    """
    def _post(client, url, data=None, page=None, **kwargs):
        db.session.commit()
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={"csrf_token": csrf_from(html), **(data or {})}, **kwargs)
    return _post


@pytest.fixture
def version():
    """Return the version a settings form would carry now: the store form's, or the named counter's."""
    def _version(counter: str = "version"):
        from portal.models import StoreSettings
        return getattr(StoreSettings.get(), counter)
    return _version
