"""A load generator for the daemon socket: many clients, requests at a fixed rate.

    python tests/soak/load.py HOME --clients 100 --rate 10000 --seconds 60 --method ping
    python tests/soak/load.py HOME --rate 1000 --method context.get \
        --payload '{"opportunity_id": "opp-1"}'

Runs in its own process (so the generator's CPU is not the test's), opens `--clients`
connections to the daemon of HOME, says hello on each, then sends `--method` requests
spread over the clients at `--rate` per second for `--seconds`, pipelined (no client
waits for a reply before sending its next request). Every second it samples the
daemon's RSS, threads and open fds from /proc. Prints one JSON object: requests sent,
replies, errors (by code), achieved rate, latency percentiles, and the samples.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import struct
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import msgpack

HEADER = struct.Struct(">I")


def proc_sample(pid: int) -> dict[str, int]:
    """The process's RSS (KiB), thread count and open fds, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_kib": int(fields["VmRSS"].split()[0]),
        "threads": int(fields["Threads"].strip()),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


class Client:
    """One connection: writes requests, a reader task matches replies by id."""

    def __init__(self, index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.index = index
        self.reader = reader
        self.writer = writer
        self.pending: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.replies = 0
        self.events = 0

    def send(self, request_id: str, method: str, payload: dict[str, Any]) -> None:
        message = {"v": 1, "kind": "request", "id": request_id, "type": method, "payload": payload}
        body = msgpack.packb(message, use_bin_type=True)
        self.pending[request_id] = time.perf_counter()
        self.writer.write(HEADER.pack(len(body)) + body)

    async def read_loop(self) -> None:
        try:
            while True:
                header = await self.reader.readexactly(4)
                (length,) = HEADER.unpack(header)
                message = msgpack.unpackb(await self.reader.readexactly(length), raw=False)
                if message.get("kind") != "response":
                    self.events += 1
                    continue
                sent = self.pending.pop(message.get("id"), None)
                if sent is not None:
                    self.latencies.append(time.perf_counter() - sent)
                self.replies += 1
                if not message.get("ok"):
                    self.errors[str(message.get("error", {}).get("code"))] += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            return


async def open_client(socket_path: str, index: int) -> Client:
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=1 << 24)
    client = Client(index, reader, writer)
    hello = {"client": {"name": f"load-{index}", "version": "1"}, "protocols": [1]}
    body = msgpack.packb(
        {"v": 1, "kind": "request", "id": "h", "type": "hello", "payload": hello}, use_bin_type=True
    )
    writer.write(HEADER.pack(len(body)) + body)
    while True:  # the hello reply (events may come first)
        (length,) = HEADER.unpack(await reader.readexactly(4))
        message = msgpack.unpackb(await reader.readexactly(length), raw=False)
        if message.get("kind") == "response":
            if not message.get("ok"):
                raise RuntimeError(f"hello refused: {message}")
            return client


async def run(args: argparse.Namespace) -> dict[str, Any]:
    home = Path(args.home)
    socket_path = str(home / "run" / "daemon.sock")
    pid = int((home / "run" / "daemon.lock").read_text().strip())
    payload = json.loads(args.payload)
    before = proc_sample(pid)
    clients = [await open_client(socket_path, i) for i in range(args.clients)]
    connected = proc_sample(pid)
    readers = [asyncio.create_task(c.read_loop()) for c in clients]
    samples: list[dict[str, float]] = []
    ids = itertools.count()
    tick = 0.01  # send in 10 ms batches
    per_tick = args.rate * tick
    owed = 0.0
    sent = 0
    start = time.perf_counter()
    next_sample = start
    next_tick = start
    cycle = itertools.cycle(clients)
    while (now := time.perf_counter()) - start < args.seconds:
        if now >= next_sample:
            sample = proc_sample(pid)
            samples.append({"t": round(now - start, 2), **sample, "sent": sent})
            next_sample += 1.0
        owed += per_tick
        batch = int(owed)
        owed -= batch
        for _ in range(batch):
            next(cycle).send(f"r{next(ids)}", args.method, payload)
        sent += batch
        for client in clients:
            if client.writer.transport.get_write_buffer_size() > 1 << 20:
                await client.writer.drain()
        next_tick += tick
        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
    elapsed = time.perf_counter() - start
    deadline = time.perf_counter() + 30
    while any(c.pending for c in clients) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    drained = time.perf_counter() - start
    after = proc_sample(pid)
    for client in clients:
        client.writer.close()
    for task in readers:
        task.cancel()
    latencies = sorted(x for c in clients for x in c.latencies)
    errors: Counter[str] = Counter()
    for client in clients:
        errors.update(client.errors)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    return {
        "method": args.method,
        "clients": args.clients,
        "target_rate": args.rate,
        "seconds": round(elapsed, 2),
        "sent": sent,
        "replies": sum(c.replies for c in clients),
        "unanswered": sum(len(c.pending) for c in clients),
        "errors": dict(errors),
        "achieved_rate": round(sum(c.replies for c in clients) / drained, 1) if drained else 0,
        "latency_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0)} if latencies else {},
        "daemon_before": before,
        "daemon_connected": connected,
        "daemon_after": after,
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("home")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--method", default="ping")
    parser.add_argument("--payload", default="{}")
    result = asyncio.run(run(parser.parse_args()))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
