"""Posts to an address an administrator typed: never into internal networks, to the checked address, in bounded time.

A channel's delivery address is resolved once, every address it resolves to is checked, and the connection
is made to those checked addresses only, so that a name that changes its answer between the check and the
connection (DNS rebinding) cannot lead the worker elsewhere. TLS is still verified for the name, which is
also sent as SNI and in the Host header: only the socket's destination is pinned. A watchdog shuts the
socket when the whole exchange runs past its deadline, however slowly the peer trickles its answer, the TLS
handshake included.
"""
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

# Outside production the worker may post to this machine, as the demo and the tests do.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class Blocked(Exception):
    """The address is not one the worker may post to; `address` is what the host resolved to (or the host)."""

    def __init__(self, address: str):
        super().__init__(address)
        self.address = address


class Unresolved(Exception):
    """The host name did not resolve (perhaps for a moment: worth trying again)."""


class DeadlineExceeded(Exception):
    """The whole exchange took longer than its deadline."""


def is_public(address: str) -> bool:
    """Return True when the IP address is one of the open internet (not internal, reserved or multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") says nothing more
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


@dataclass(frozen=True)
class Route:
    """Where a URL's connection goes: its host, its port and the checked addresses to connect to, in order."""

    host: str
    port: int
    addresses: tuple[str, ...]


def resolve(url: str, allow_local: bool) -> Route:
    """Resolve the URL's host; raise Blocked when any of its addresses is not public (unless allowed local)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.scheme not in DEFAULT_PORTS:
        raise Blocked(host or url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unresolved(host) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise Unresolved(host)
    if not (allow_local and parts.hostname in LOCAL_HOSTS):
        for address in addresses:
            if not is_public(address):
                raise Blocked(address)
    return Route(host=host, port=port, addresses=addresses)


class _Watchdog:
    """Shut every socket of one exchange when its deadline passes; cancelled when the exchange is over.

    It holds a duplicate descriptor of each socket: the TLS wrapper takes the original socket object's
    descriptor over before its handshake, and shutting the duplicate shuts the one connection underneath,
    so a handshake the peer stalls or trickles is cut off too. Owning the duplicates also means a descriptor
    number reused elsewhere is never shut by mistake.
    """

    def __init__(self, seconds: float):
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._sockets.append(sock.dup())
                return
        try:  # connected after the deadline: nothing more may happen on it
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # below TLS: wakes a blocked handshake, read or write
                except OSError:
                    pass

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._timer.cancel()
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _PinnedConnection:
    """Connect to the route's checked addresses instead of resolving the host again."""

    route: Route
    watchdog: _Watchdog

    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        for address in self.route.addresses:
            try:
                sock = socket.create_connection((address, self.route.port), self.timeout)
            except TimeoutError as timeout:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from timeout
            except OSError as failure:
                error = failure
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.watchdog.watch(sock)
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, route: Route, watchdog: _Watchdog):
        attributes = {"route": route, "watchdog": watchdog}
        self._pools = {
            "http": type("PinnedHTTPConnectionPool", (HTTPConnectionPool,), {
                "ConnectionCls": type("PinnedHTTPConnection", (_PinnedConnection, HTTPConnection), attributes)}),
            "https": type("PinnedHTTPSConnectionPool", (HTTPSConnectionPool,), {
                "ConnectionCls": type("PinnedHTTPSConnection", (_PinnedConnection, HTTPSConnection), attributes)}),
        }
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools


def post(url: str, route: Route, data: bytes, headers: dict, connect: float, read: float, total: float) -> int:
    """POST to the route's addresses without reading the answer's body; return its status code.

    Raise requests' exceptions for connection failures and timeouts, DeadlineExceeded past `total` seconds.
    """
    started = time.monotonic()
    with _Watchdog(total) as watchdog, requests.Session() as session:
        session.trust_env = False  # a proxy from the environment would be connected to instead of the route
        adapter = _PinnedAdapter(route, watchdog)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            response = session.post(url, data=data, headers=headers, timeout=(min(connect, total), min(read, total)),
                                    allow_redirects=False, stream=True)
        except requests.exceptions.RequestException:
            if watchdog.expired:
                raise DeadlineExceeded() from None
            raise
        response.close()  # the body is never read: a huge or endless one costs nothing
    if watchdog.expired or time.monotonic() - started > total:
        raise DeadlineExceeded()
    return response.status_code
