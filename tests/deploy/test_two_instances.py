"""Two gunicorn instances on one PostgreSQL and one Redis: shared sessions, shared limits, shared job queue."""
import pytest
import requests

from . import cluster

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

SHOPPER = "ana.deploy@example.com"


@pytest.fixture(scope="module")
def redis_db():
    client = cluster.redis_client()
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def env(redis_db, tmp_path_factory):
    database_url = cluster.create_database("portal_deploy")
    instance = tmp_path_factory.mktemp("shared-instance")
    env = cluster.portal_env(database_url, instance, REDIS_URL=cluster.REDIS_URL, RATELIMIT_LOGIN="5 per minute")
    try:
        cluster.flask(env, ["db", "upgrade"], ["bootstrap"],
                      ["users", "create", "--email", SHOPPER, "--role", "customer", "--name", "Ana",
                       "--password", cluster.PASSWORD])
        yield env
    finally:
        cluster.drop_database(database_url)


@pytest.fixture(scope="module")
def instances(env, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    started = []
    try:
        for name in ("a", "b"):
            started.append(cluster.Instance(env, logs / f"gunicorn-{name}.log"))
        for instance in started:
            instance.wait_ready()
        yield started
    finally:
        for instance in started:
            instance.stop()


@pytest.fixture
def clear_limits(redis_db):
    """Forget earlier login attempts (the limiter's keys), leaving the job queue alone."""
    for key in redis_db.scan_iter("LIMITS*"):
        redis_db.delete(key)


def test_both_instances_are_ready(instances):
    for instance in instances:
        response = requests.get(instance.url + "/readyz", timeout=10)
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_a_session_made_on_one_instance_is_valid_on_the_other(instances, clear_limits):
    a, b = instances
    on_a = requests.Session()
    response = cluster.log_in(on_a, a.url, SHOPPER)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]

    assert requests.get(b.url + "/orders", allow_redirects=False, timeout=10).status_code == 302  # no cookie: sent away
    on_b = requests.Session()
    on_b.cookies.set("session", on_a.cookies["session"])
    page = on_b.get(b.url + "/orders", allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert "Ana" in page.text


def test_the_login_limit_counts_across_instances(instances, clear_limits):
    a, b = instances
    clients = {a.url: requests.Session(), b.url: requests.Session()}
    tokens = {url: cluster.csrf_token(session, url + "/login") for url, session in clients.items()}
    statuses = []
    for attempt in range(6):
        url = (a.url, b.url)[attempt % 2]
        response = clients[url].post(url + "/login", timeout=10, allow_redirects=False, data={
            "email": SHOPPER, "password": "wrong password", "csrf_token": tokens[url]})
        statuses.append(response.status_code)
    # Three attempts on each instance: a limit kept per process would let all six through.
    assert statuses == [200, 200, 200, 200, 200, 429]


def test_a_job_enqueued_by_one_instance_is_run_by_a_consumer(env, instances, redis_db, tmp_path):
    a, _ = instances
    mail_dir = cluster.Path(env["MAIL_DIR"])
    before = set(mail_dir.glob("*.eml"))
    session = requests.Session()
    token = cluster.csrf_token(session, a.url + "/forgot")
    response = session.post(a.url + "/forgot", data={"email": SHOPPER, "csrf_token": token}, timeout=10)
    assert response.status_code == 200

    # The web process only queued it: nothing is sent until a consumer runs.
    assert set(mail_dir.glob("*.eml")) == before
    assert redis_db.llen("huey.redis.portal") >= 1

    worker = cluster.consumer(env, tmp_path / "consumer.log")
    try:
        new = cluster.wait_for(lambda: set(mail_dir.glob("*.eml")) - before, timeout=30)
        assert new, f"no e-mail within 30 s; consumer said:\n{worker.output()}"
    finally:
        worker.stop()
    message = next(iter(new)).read_text()
    assert SHOPPER in message and "/access/" in message


def test_readyz_is_503_and_logged_when_redis_is_unreachable(env, tmp_path):
    broken = cluster.Instance({**env, "REDIS_URL": f"redis://127.0.0.1:{cluster.free_port()}/0"},
                              tmp_path / "gunicorn-broken.log")
    try:
        broken.wait_ready()
        response = requests.get(broken.url + "/readyz", headers={"X-Request-ID": "lb-probe-1"}, timeout=10)
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
        assert response.headers["X-Request-ID"] == "lb-probe-1"
        assert cluster.wait_for(lambda: "request_id=lb-probe-1 portal.core.health: Readiness check redis failed"
                                in broken.output(), timeout=5), broken.output()
    finally:
        broken.stop()
