"""A real IMAP server for the tests: Dovecot (apt: dovecot-imapd) on a free port, run from a throw-away config.

Plaintext login from a passwd-file, one maildir, no SSL, listening on 127.0.0.1 only, logging to a file. As
root, Dovecot's login and internal processes run as its system users and the mailbox belongs to `dovecot`
(Dovecot refuses mail for UID 0); as anyone else every process runs as that user. Without Dovecot the tests
are skipped, except with the environment variable CI set, where they fail (as the browser tests do).
"""
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "suporte", "imap-secret"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dovecot:
    port: int
    directory: str
    log_path: str
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD


def _users() -> tuple[str, str, str, int, int]:
    """Return the login user, the internal user and group, and the mailbox's uid and gid."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, grp.getgrgid(os.getgid()).gr_name, me.pw_uid, me.pw_gid
    internal = pwd.getpwnam("dovecot")
    login = "dovenull" if _has_user("dovenull") else "nobody"
    return login, "dovecot", grp.getgrgid(internal.pw_gid).gr_name, internal.pw_uid, internal.pw_gid


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _config(directory: str, port: int) -> str:
    login, internal, group, uid, gid = _users()
    with open(os.path.join(directory, "passwd"), "w") as users:
        users.write(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{directory}/home\n")
    os.makedirs(os.path.join(directory, "home"))
    if os.getuid() == 0:
        os.chown(os.path.join(directory, "home"), uid, gid)
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {directory}/run
state_dir = {directory}/state
instance_name = portal-test-{port}
log_path = {directory}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:{directory}/home/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {directory}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for_greeting(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def dovecot():
    """Start Dovecot for the module's tests and stop it afterwards."""
    if not (os.path.isfile(DOVECOT) and os.access(DOVECOT, os.X_OK)):
        reason = f"no Dovecot at {DOVECOT}; install it with `apt-get install -y dovecot-imapd`"
        if _in_ci():
            pytest.fail(f"CI is set and {reason}: the IMAP tests must run in CI, never be skipped.", pytrace=False)
        pytest.skip(reason)
    directory = tempfile.mkdtemp(prefix="portal-dovecot-")
    os.chmod(directory, 0o755)  # noqa: S103 - Dovecot's own users read the passwd-file and the mailbox below
    port = free_port()
    config = os.path.join(directory, "dovecot.conf")
    with open(config, "w") as out:
        out.write(_config(directory, port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", config],  # noqa: S603 - our own binary and config
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    log_path = os.path.join(directory, "dovecot.log")
    try:
        if not _wait_for_greeting(port, time.monotonic() + 15):
            with open(log_path, errors="replace") if os.path.exists(log_path) else open(os.devnull) as log:
                pytest.fail(f"Dovecot did not answer on port {port}:\n{log.read()[-2000:]}", pytrace=False)
        yield Dovecot(port=port, directory=directory, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)
