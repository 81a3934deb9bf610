"""Load generators: wrk when it is installed, else an asyncio HTTP/1.1 client of the standard library.

Both keep `connections` requests in flight for `duration` seconds and report requests per second, the
median and 99th-percentile latency, and how many answers were not 2xx/3xx (or failed outright).
"""
import asyncio
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, headers: dict[str, str], connections: int, duration: float, threads: int = 2) -> Result:
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--latency", "--timeout", "15s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        # gunicorn's sync workers close each connection after answering; wrk counts those closes as read errors.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        requests=requests,
        errors=errors,
    )


def raw_get(url: str, headers: dict[str, str]):
    """Return a request maker that sends the same GET every time."""
    parts = urlsplit(url)
    lines = [f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
             f"Host: {parts.netloc}", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return lambda _n: data


async def _drive(host: str, port: int, make, connections: int, duration: float):
    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.monotonic() + duration

    async def one_connection():
        nonlocal errors, counter
        while time.monotonic() < deadline:
            counter += 1
            request = make(counter)
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 15)
                writer.write(request)
                await writer.drain()
                status_line = await asyncio.wait_for(reader.readline(), 15)
                await asyncio.wait_for(reader.read(), 15)  # the sync worker closes after the answer
                writer.close()
            except (TimeoutError, OSError):
                errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            status = status_line.split(b" ", 2)[1:2]
            if not status or not status[0].isdigit() or not 200 <= int(status[0]) < 400:
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return latencies, errors, time.monotonic() - started


def python(url: str, make, connections: int, duration: float) -> Result:
    """Drive `url`'s server with requests from `make(n)` (raw HTTP bytes)."""
    parts = urlsplit(url)
    latencies, errors, elapsed = asyncio.run(_drive(parts.hostname, parts.port, make, connections, duration))
    if not latencies:
        return Result(0.0, 0.0, 0.0, 0, errors)
    ordered = sorted(latencies)
    return Result(
        rps=len(latencies) / elapsed,
        p50_ms=statistics.median(ordered),
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        requests=len(latencies),
        errors=errors,
    )


def run(kind: str, url: str, headers: dict[str, str], connections: int, duration: float) -> Result:
    if kind == "wrk":
        return wrk(url, headers, connections, duration)
    return python(url, raw_get(url, headers), connections, duration)
