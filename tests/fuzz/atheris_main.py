"""Coverage-guided fuzzing of the host's parsers with atheris (libFuzzer for Python).

    python tests/fuzz/atheris_main.py TARGET [libFuzzer options] [CORPUS_DIR ...]

TARGET is one of `native`, `socket`, `dispatch`, `dial`, `csv`, `snapshot`; each feeds
the input to the matching `check_*` in `tests/fuzz/targets.py`, so a crash here is an
input that broke the contract the hypothesis tests also check. `run.sh` runs every
target for a bounded time, seeds each corpus and collects the counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for `fuzz.targets`

with atheris.instrument_imports(include=["rolecall"]):
    from fuzz import targets

_REGIONS = (None, "US", "gb", "DE", "XX", "001", "")
_PLANS: tuple[dict[str, Any], ...] = (
    {},
    {"domain": "pbx.example.com"},
    {"domain": "127.0.0.1:5060", "default_region": "GB", "outbound_prefix": "9"},
    {"domain": "[::1]:5070", "keep_plus": False, "international_prefix": "011"},
)

_harness: targets.DecoderHarness | None = None
_csv: targets.CsvHarness | None = None


def _decoder() -> targets.DecoderHarness:
    global _harness
    if _harness is None:
        _harness = targets.DecoderHarness()
    return _harness


def _csv_harness() -> targets.CsvHarness:
    global _csv
    if _csv is None:
        _csv = targets.CsvHarness()
    return _csv


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        return None


def native(data: bytes) -> None:
    targets.check_native_stream(data)


def socket(data: bytes) -> None:
    if not data:
        return
    targets.check_socket_frame(_decoder(), data[1:], greeted=bool(data[0] & 1))


def _vocabulary() -> list[str]:
    """Every envelope key, method name and params field name: keys worth guessing."""
    from pydantic import BaseModel

    from rolecall.protocol.methods import METHODS

    words = {"v", "kind", "id", "type", "payload", "request", "chunk", "event", "response"}
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            words.add(name)
            for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(arg)
                for inner in getattr(arg, "__args__", ()):
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        walk(inner)

    for name, spec in METHODS.items():
        words.add(name)
        walk(spec.params)
    return sorted(words)


_WORDS: list[str] = []


def _value(provider: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    """A JSON-like value shaped by the input, keys mostly from the protocol's words."""
    if not _WORDS:
        _WORDS.extend(_vocabulary())
    kind = provider.ConsumeIntInRange(0, 9 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return provider.ConsumeBool()
    if kind == 2:
        return provider.ConsumeIntInRange(-(2**40), 2**40)
    if kind == 3:
        return provider.ConsumeRegularFloat()
    if kind == 4:
        return _WORDS[provider.ConsumeIntInRange(0, len(_WORDS) - 1)]
    if kind == 5:
        return provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 80))
    if kind in (6, 7):
        return [_value(provider, depth + 1) for _ in range(provider.ConsumeIntInRange(0, 4))]
    found: dict[str, Any] = {}
    for _ in range(provider.ConsumeIntInRange(0, 6)):
        key = (
            _WORDS[provider.ConsumeIntInRange(0, len(_WORDS) - 1)]
            if provider.ConsumeBool()
            else provider.ConsumeUnicodeNoSurrogates(8)
        )
        found[key] = _value(provider, depth + 1)
    return found


def dispatch(data: bytes) -> None:
    """A request-shaped message (envelope kept valid half the time) or any value."""
    provider = atheris.FuzzedDataProvider(data)
    greeted = provider.ConsumeBool()
    if provider.ConsumeBool():
        if not _WORDS:
            _WORDS.extend(_vocabulary())
        payload = _value(provider, 1)
        message: Any = {
            "v": 1,
            "kind": "request",
            "id": "r1",
            "type": _WORDS[provider.ConsumeIntInRange(0, len(_WORDS) - 1)],
            "payload": payload,
        }
    else:
        message = _value(provider)
    targets.check_dispatch(_decoder(), message, greeted=greeted)


def dial(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    region = _REGIONS[provider.ConsumeIntInRange(0, len(_REGIONS) - 1)]
    plan = _PLANS[provider.ConsumeIntInRange(0, len(_PLANS) - 1)]
    targets.check_dial(provider.ConsumeUnicodeNoSurrogates(400), region, plan)


def csv(data: bytes) -> None:
    parts = data.split(targets.CSV_SEPARATOR)
    files = {name: part for name, part in zip(targets.CSV_FILES, parts, strict=False) if part}
    targets.check_csv_export(_csv_harness(), files)


def snapshot(data: bytes) -> None:
    """`call.place` params: JSON text (seeded with real snapshots) or a shaped value."""
    if data[:1] == b"{":
        value = _json(data)
    else:
        provider = atheris.FuzzedDataProvider(data)
        value = {"target": "+14155550132", "snapshot": _value(provider, 1)}
        if provider.ConsumeBool():
            value["record"] = _value(provider, 1)
    if value is not None:
        targets.check_snapshot(_decoder(), value)


TARGETS = {f.__name__: f for f in (native, socket, dispatch, dial, csv, snapshot)}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
