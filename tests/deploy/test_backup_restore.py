"""The backup and restore drill of docs/deployment.md: pg_dump, a restore into a fresh database, the attachments.

The demo store plus tickets with attachments uploaded through the running portal is backed up while it serves,
restored into a new database and a new instance folder, and compared: every table row for row, every sequence,
every attachment's SHA-256. The restored copy then serves: the shopper downloads her file and opens a new ticket.
"""
import hashlib
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import cluster

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

SHOPPER = "maria@demo.test"
PASSWORD = "demo1234"  # noqa: S105 (the published demo login)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _engine(url: str):
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _snapshot(url: str) -> dict:
    """Every table's row count and a digest of its rows in a fixed order, and every sequence's position."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")).scalars().all()
            rows = {}
            for table in tables:
                digest = f'SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), \'\')) FROM "{table}" t'  # noqa: S608, E501 (table names from the catalogue)
                rows[table] = tuple(conn.execute(text(digest)).one())
            sequences = dict(conn.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all())
            attachments = conn.execute(text(
                "SELECT id, storage_key, filename FROM ticket_attachments ORDER BY id")).all()
    finally:
        engine.dispose()
    return {"rows": rows, "sequences": sequences, "attachments": attachments}


def _digests(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _open_ticket_with_files(session: requests.Session, base: str, order_number: str, files: list) -> str:
    picker = session.get(f"{base}/orders/{order_number}/help", timeout=10).text
    reason = re.findall(r'name="reason" id="reason-\d+" value="(\d+)"', picker)[-1]
    url = f"{base}/orders/{order_number}/help?reason={reason}&need_help=1"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(url, timeout=10).text).group(1)
    answer = session.post(url, timeout=15, allow_redirects=False, data={
        "csrf_token": token, "reason": reason, "subject": "Produto com defeito",
        "body": "Seguem as fotos e a nota."}, files=[("attachments", item) for item in files])
    assert answer.status_code == 302, re.findall(r'class="field__errors"[^>]*><li>([^<]+)', answer.text)
    return answer.headers["Location"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The demo store on PostgreSQL, served by gunicorn, with three attachments uploaded by the shopper."""
    database_url = cluster.create_database("portal_backup")
    instance = tmp_path_factory.mktemp("backup-instance")
    env = cluster.portal_env(database_url, instance, ATTACHMENTS_DIR=str(instance / "attachments"))
    server = None
    try:
        cluster.flask(env, ["db", "upgrade"], ["bootstrap"], ["demo", "load"])
        server = cluster.Instance(env, instance / "gunicorn.log")
        server.wait_ready()
        shopper = requests.Session()
        assert cluster.log_in(shopper, server.url, SHOPPER, PASSWORD).status_code == 302
        orders = re.findall(r'href="/orders/([^"/?#]+)"', shopper.get(server.url + "/orders", timeout=10).text)
        assert len(orders) >= 2, "the demo shopper has orders"
        _open_ticket_with_files(shopper, server.url, orders[0], [("foto.png", PNG, "image/png"),
                                                                 ("nota.pdf", PDF, "application/pdf")])
        _open_ticket_with_files(shopper, server.url, orders[1], [("outra.png", PNG + b"segunda", "image/png")])
        yield server, database_url, instance
    finally:
        if server is not None:
            server.stop()
        cluster.drop_database(database_url)


def test_a_restored_backup_matches_row_for_row_and_file_for_file(store, tmp_path):
    server, database_url, instance = store
    before = _snapshot(database_url)
    assert len(before["attachments"]) == 3 and before["rows"]["orders"][0] > 0
    originals = _digests(instance / "attachments")
    assert len(originals) == 3

    # The backup, as docs/deployment.md gives it, taken while the portal serves.
    dump = tmp_path / "portal.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", _libpq(database_url), "-f", str(dump)], check=True, timeout=120)  # noqa: S603, S607
    archive = tmp_path / "attachments.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(instance / "attachments", arcname="attachments")
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200

    # The restore, into a database and an instance folder that never saw the store.
    restored_url = cluster.create_database("portal_restored")
    restored = tmp_path / "restored-instance"
    restored.mkdir()
    restored_server = None
    try:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", _libpq(restored_url),  # noqa: S603, S607
                        str(dump)], check=True, timeout=120, capture_output=True)
        with tarfile.open(archive) as tar:
            tar.extractall(restored, filter="data")
        env = cluster.portal_env(restored_url, restored, ATTACHMENTS_DIR=str(restored / "attachments"))
        cluster.flask(env, ["db", "upgrade"])  # a no-op on a current dump

        after = _snapshot(restored_url)
        assert after["rows"] == before["rows"]
        assert after["sequences"] == before["sequences"]
        assert after["attachments"] == before["attachments"]
        copies = _digests(restored / "attachments")
        assert copies == originals
        for _id, key, _name in after["attachments"]:
            assert any(key in path for path in copies), f"attachment {key} has no file after the restore"

        # The restored copy serves: the shopper's file comes back byte for byte, and new rows get new ids.
        restored_server = cluster.Instance(env, restored / "gunicorn.log")
        restored_server.wait_ready()
        shopper = requests.Session()
        assert cluster.log_in(shopper, restored_server.url, SHOPPER, PASSWORD).status_code == 302
        first = before["attachments"][0][0]
        download = shopper.get(f"{restored_server.url}/tickets/attachments/{first}", timeout=10)
        assert download.status_code == 200 and download.content == PNG
        orders = re.findall(r'href="/orders/([^"/?#]+)"', shopper.get(restored_server.url + "/orders", timeout=10).text)
        _open_ticket_with_files(shopper, restored_server.url, orders[-1], [("nova.png", PNG, "image/png")])
        grown = _snapshot(restored_url)
        assert grown["rows"]["tickets"][0] == before["rows"]["tickets"][0] + 1
        assert len(grown["attachments"]) == 4
    finally:
        if restored_server is not None:
            restored_server.stop()
        cluster.drop_database(restored_url)
        shutil.rmtree(restored, ignore_errors=True)
