"""Client for the Correios tracking API ("API Rastro" of api.correios.com.br)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests
import urllib3

from trackers.s10 import parse_s10

# The API reports times without a zone; they are Brazil's official (Brasília) time.
BRAZIL_TZ = ZoneInfo("America/Sao_Paulo")

# Refresh the token a minute early so that a request never starts with a token about to lapse.
TOKEN_MARGIN = timedelta(seconds=60)

# Refuse bodies beyond this so that a misbehaving server cannot make the worker parse megabytes of JSON.
MAX_BODY_BYTES = 2_000_000
CHUNK_BYTES = 65_536


class CorreiosError(Exception):
    """The Correios API could not answer the question."""


class CorreiosUnavailable(CorreiosError):
    """The Correios API could not be reached, timed out or failed on its side."""


class CorreiosBadResponse(CorreiosError):
    """The Correios API answered with something the client cannot read."""


class CorreiosNotFound(CorreiosError):
    """The Correios API does not know the object."""


@dataclass(frozen=True)
class _Answer:
    """A response whose body was read in full within the lookup's deadline."""

    status_code: int
    content: bytes


@dataclass(frozen=True)
class TrackingEvent:
    """One event in an object's history, as reported by the Correios API."""

    when: datetime
    description: str
    detail: str | None
    place: str
    code: str
    destination: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Return the event with JSON-friendly values."""
        return {
            "when": self.when.isoformat(),
            "description": self.description,
            "detail": self.detail,
            "place": self.place,
            "code": self.code,
            "destination": self.destination,
        }


class CorreiosClient:
    """Fetch object histories from the Correios API, keeping the bearer token until shortly before it lapses."""

    def __init__(
        self,
        base_url: str,
        user: str,
        access_code: str,
        contract_card: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 8.0,
        total_timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.user = user or ""
        self._access_code = access_code or ""
        self.contract_card = contract_card or ""
        self.timeout = (connect_timeout, read_timeout)
        # Per-call timeouts bound each socket wait; this bounds a whole lookup (token, objects, one re-auth).
        self.total_timeout = total_timeout
        self._session = session or requests.Session()
        self._token: str | None = None
        self._token_expires: datetime | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CorreiosClient(base_url={self.base_url!r}, user={self.user!r})"

    @property
    def is_configured(self) -> bool:
        """Tell whether every setting the API needs is present."""
        return all((self.base_url, self.user, self._access_code, self.contract_card))

    def fetch_events(self, code: str) -> list[TrackingEvent]:
        """Return the object's events, newest first; raise CorreiosError on any failure."""
        if not self.is_configured:
            raise CorreiosError("Correios API is not configured")
        s10 = parse_s10(code)
        if s10 is None or not s10.valid:
            raise CorreiosError("not a valid Correios code")
        url = f"{self.base_url}/srorastro/v1/objetos/{quote(s10.code, safe='')}"
        deadline = time.monotonic() + self.total_timeout
        response = self._get_objects(url, self._get_token(deadline), deadline)
        if response.status_code == 401:
            # The token may have been revoked early; authenticate again, but only once.
            self._drop_token()
            response = self._get_objects(url, self._get_token(deadline), deadline)
        _raise_for_status(response, "tracking")
        return _parse_objects(_read_json(response), s10.code)

    def _get_objects(self, url: str, token: str, deadline: float) -> _Answer:
        """Request the object's full history with the bearer token."""
        return self._send(
            "GET",
            url,
            deadline,
            params={"resultado": "T"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def _get_token(self, deadline: float) -> str:
        """Return a token that is valid for at least another minute, authenticating when needed."""
        with self._lock:
            now = datetime.now(UTC)
            if self._token and self._token_expires and now < self._token_expires - TOKEN_MARGIN:
                return self._token
            self._token, self._token_expires = self._authenticate(deadline)
            return self._token

    def _drop_token(self) -> None:
        """Forget the current token so that the next call authenticates."""
        with self._lock:
            self._token = self._token_expires = None

    def _authenticate(self, deadline: float) -> tuple[str, datetime]:
        """Exchange the user, access code and contract card for a token and its expiry."""
        response = self._send(
            "POST",
            f"{self.base_url}/token/v1/autentica/cartaopostagem",
            deadline,
            auth=(self.user, self._access_code),
            json={"numero": self.contract_card},
            headers={"Accept": "application/json"},
        )
        if response.status_code in (401, 403):
            raise CorreiosError("Correios API rejected the credentials")
        _raise_for_status(response, "authentication")
        data = _read_json(response)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise CorreiosBadResponse("Correios authentication answered without a token")
        return token, _parse_when(data.get("expiraEm"))

    def _send(self, method: str, url: str, deadline: float, **kwargs: Any) -> _Answer:
        """Send one request and read its body before the deadline, turning failures into CorreiosError."""
        remaining = _remaining(deadline)
        connect, read = self.timeout
        timeout = (min(connect, remaining), min(read, remaining))
        try:
            with self._session.request(
                method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs
            ) as response:
                return _Answer(response.status_code, _read_body(response, deadline))
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise CorreiosUnavailable("Correios API timed out") from exc
        except requests.ConnectionError as exc:
            raise CorreiosUnavailable("Correios API could not be reached") from exc
        except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError) as exc:
            raise CorreiosUnavailable("Correios API broke off the answer") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise CorreiosUnavailable("Correios API failed while answering") from exc
        except (requests.RequestException, ValueError) as exc:
            raise CorreiosError("Correios API request failed") from exc


def _remaining(deadline: float) -> float:
    """Return the seconds left before the deadline, or raise CorreiosUnavailable when none are."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise CorreiosUnavailable("Correios API timed out")
    return remaining


def _read_body(response: requests.Response, deadline: float) -> bytes:
    """Read the body in chunks, giving up when it grows too large or the deadline passes."""
    body = bytearray()
    # One socket read per chunk, so that a server trickling bytes cannot stretch a read past the deadline.
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise CorreiosBadResponse("Correios API answered with an oversized body")
        _remaining(deadline)
    return bytes(body)


def _raise_for_status(response: _Answer, what: str) -> None:
    """Raise the matching CorreiosError for a response that is not a success."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise CorreiosUnavailable(f"Correios {what} failed with HTTP {status}")
    if not 200 <= status < 300:
        raise CorreiosError(f"Correios {what} failed with HTTP {status}")


def _read_json(response: _Answer) -> Any:
    """Decode the response body as JSON or raise CorreiosBadResponse."""
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        raise CorreiosBadResponse("Correios API answered with invalid JSON") from exc


def _parse_objects(data: Any, code: str) -> list[TrackingEvent]:
    """Turn the objects payload into events, newest first."""
    objects = data.get("objetos") if isinstance(data, dict) else None
    if not isinstance(objects, list) or not objects or not all(isinstance(o, dict) for o in objects):
        raise CorreiosBadResponse("Correios API answered without objects")
    obj = next((o for o in objects if o.get("codObjeto") == code), objects[0])
    events = obj.get("eventos")
    message = obj.get("mensagem")
    if not events and isinstance(message, str) and message.startswith("SRO-"):
        raise CorreiosNotFound("Correios does not know this object")
    if events is None:
        return []
    if not isinstance(events, list):
        raise CorreiosBadResponse("Correios API answered with malformed events")
    return sorted((_parse_event(event) for event in events), key=lambda event: event.when, reverse=True)


def _parse_event(event: Any) -> TrackingEvent:
    """Turn one event payload into a TrackingEvent."""
    if not isinstance(event, dict):
        raise CorreiosBadResponse("Correios API answered with a malformed event")
    code, description = event.get("codigo"), event.get("descricao")
    detail = event.get("detalhe")
    if not isinstance(code, str) or not isinstance(description, str) or not isinstance(detail, str | None):
        raise CorreiosBadResponse("Correios API answered with a malformed event")
    return TrackingEvent(
        when=_parse_when(event.get("dtHrCriado")),
        description=description,
        detail=detail or None,
        place=_describe_unit(event.get("unidade")),
        code=code,
        destination=_describe_unit(event.get("unidadeDestino")) or None,
    )


def _describe_unit(unit: Any) -> str:
    """Describe a unit as "type - CITY/UF", leaving out whatever parts are missing."""
    if unit is None:
        return ""
    if not isinstance(unit, dict):
        raise CorreiosBadResponse("Correios API answered with a malformed unit")
    address = unit.get("endereco") or {}
    if not isinstance(address, dict):
        raise CorreiosBadResponse("Correios API answered with a malformed address")
    parts = [unit.get("tipo"), address.get("cidade"), address.get("uf")]
    if not all(isinstance(part, str | None) for part in parts):
        raise CorreiosBadResponse("Correios API answered with a malformed unit")
    kind, city, state = (part.strip() if part else "" for part in parts)
    where = "/".join(part for part in (city, state) if part)
    return " - ".join(part for part in (kind, where) if part)


def _parse_when(value: Any) -> datetime:
    """Parse an ISO date-time from the API as an aware time (Brazil's when it has no zone), or raise."""
    if not isinstance(value, str) or len(value) > 40:
        raise CorreiosBadResponse("Correios API answered with a missing or malformed date")
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CorreiosBadResponse("Correios API answered with a malformed date") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=BRAZIL_TZ)
