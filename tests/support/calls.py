"""Waiting on the daemon's call events in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rolecall.client import DaemonClient

CallInfo = dict[str, Any]


def wait_event(
    client: DaemonClient,
    event_type: str,
    predicate: Callable[[dict[str, Any]], bool] = lambda payload: True,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """The payload of the next `event_type` event that satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        client._sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            event = client.next_event()
        except TimeoutError:
            break
        seen.append(event["type"])
        if event["type"] == event_type and predicate(event["payload"]):
            payload: dict[str, Any] = event["payload"]
            return payload
    raise TimeoutError(f"no matching {event_type} in {timeout} s; saw {seen[-20:]}")


def wait_call(client: DaemonClient, call_id: str, state: str, timeout: float = 15.0) -> CallInfo:
    """The call's state once it reaches `state` (or fails the test if it ends first)."""
    for call in client.request("calls.list")["calls"]:  # it may be there already
        if call["id"] == call_id and call["state"] == state:
            found: CallInfo = call
            return found

    def reached(payload: dict[str, Any]) -> bool:
        call = payload["call"]
        if call["id"] != call_id:
            return False
        if call["state"] == "disconnected" and state != "disconnected":
            raise AssertionError(f"call ended before {state}: {call}")
        return bool(call["state"] == state)

    call: CallInfo = wait_event(client, "call.updated", reached, timeout)["call"]
    return call


def place(client: DaemonClient, target: str, **params: Any) -> CallInfo:
    call: CallInfo = client.request("call.place", {"target": target, **params})["call"]
    return call


def wait_ended(
    client: DaemonClient, call_ids: list[str], timeout: float = 15.0
) -> dict[str, CallInfo]:
    """The final state of each of `call_ids`, in whatever order they end."""
    ended: dict[str, CallInfo] = {}

    def collect(payload: dict[str, Any]) -> bool:
        call = payload["call"]
        if call["id"] in call_ids and call["state"] == "disconnected":
            ended[call["id"]] = call
        return len(ended) == len(call_ids)

    wait_event(client, "call.updated", collect, timeout)
    return ended
