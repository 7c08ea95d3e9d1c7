"""Open-loop load: requests sent at a constant arrival rate, whatever the answers do.

wrk (closed loop) sends a connection's next request only when the previous answer has
arrived, so a slow server is asked less and its queueing never shows in the latency
("coordinated omission"). Here request i is scheduled at ``start + i / rate`` and its
latency is measured from that scheduled time, not from when it was actually sent:
time spent waiting for the generator, for a free connection or in the server's queue
all counts. The generator is Python (asyncio and httpx) on the same cores as the
server, so it also reports how late it sent (``send_lag_p99_ms``): a large lag means
the figures are bounded by the generator, and the report says so.
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import Callable

import httpx


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def connection_limit(wanted: int) -> int:
    """At most ``wanted`` connections, within the process's file descriptor limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(8, min(wanted, soft - 64))


async def _run(
    url_of: Callable[[int], str],
    *,
    rate: float,
    seconds: float,
    headers: dict[str, str],
    connections: int,
    headers_of: Callable[[int], dict[str, str]] | None = None,
) -> dict:
    count = max(1, round(rate * seconds))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    lags: list[float] = []
    statuses: dict[str, int] = {}
    async with httpx.AsyncClient(limits=limits, timeout=30.0, follow_redirects=False, headers=headers) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1

        async def one(index: int, scheduled: float) -> None:
            lags.append(loop.time() - scheduled)
            try:
                extra = headers_of(index) if headers_of is not None else None
                response = await client.get(url_of(index), headers=extra)
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append(loop.time() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1

        tasks = []
        for index in range(count):
            scheduled = start + index / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, scheduled)))
        sent_within = loop.time() - start
        await asyncio.gather(*tasks)
        finished = loop.time() - start
    ms = [value * 1000 for value in latencies]
    return {
        "generator": "open loop (Python asyncio + httpx, constant arrival rate, latency from the scheduled time)",
        "rate": round(rate, 1),
        "seconds": round(seconds, 2),
        "sent": count,
        "sent_within_s": round(sent_within, 3),
        "finished_after_s": round(finished, 3),
        "connections": connections,
        "statuses": statuses,
        "p50_ms": round(_percentile(ms, 0.50), 2),
        "p90_ms": round(_percentile(ms, 0.90), 2),
        "p95_ms": round(_percentile(ms, 0.95), 2),
        "p99_ms": round(_percentile(ms, 0.99), 2),
        "max_ms": round(max(ms), 2),
        "send_lag_p99_ms": round(_percentile([lag * 1000 for lag in lags], 0.99), 2),
    }


def open_loop(
    url_of: Callable[[int], str],
    *,
    rate: float,
    seconds: float,
    headers: dict[str, str],
    connections: int = 64,
    headers_of: Callable[[int], dict[str, str]] | None = None,
) -> dict:
    """Send ``rate`` requests a second for ``seconds`` (request i to ``url_of(i)``, with
    the headers ``headers_of(i)`` added when given)."""
    started = time.monotonic()
    result = asyncio.run(
        _run(
            url_of,
            rate=rate,
            seconds=seconds,
            headers=headers,
            connections=connection_limit(connections),
            headers_of=headers_of,
        )
    )
    result["wall_s"] = round(time.monotonic() - started, 2)
    return result
