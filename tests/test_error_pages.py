"""The friendly error pages, including the 503 page when the database itself is unreachable."""
import pytest

from portal import create_app


@pytest.fixture
def app_without_database(tmp_path):
    # A SQLite file inside a directory that does not exist: every connection attempt fails.
    url = "sqlite:///" + str(tmp_path / "missing" / "portal.db")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False})


@pytest.mark.parametrize("language, text", [("en", "Something went wrong on our side"),
                                            ("pt-BR", "Algo deu errado do nosso lado")])
def test_a_database_outage_gets_the_friendly_503_page(app_without_database, language, text):
    client = app_without_database.test_client()
    response = client.post("/login", data={"email": "maria@example.com", "password": "x" * 10},
                           headers={"Accept-Language": language})
    assert response.status_code == 503 and response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert text in html and "Traceback" not in html
    assert response.headers["Content-Type"].startswith("text/html")


def test_a_database_outage_answers_json_to_the_api(app_without_database):
    response = app_without_database.test_client().get("/api/v1/orders/1", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_an_unknown_page_is_the_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "We could not find this page." in response.get_data(as_text=True)
