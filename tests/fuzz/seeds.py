"""Writes a small seed corpus per atheris target, so mutation starts from real inputs.

    python tests/fuzz/seeds.py OUT_DIR

Seeds are built from the protocol's own examples and the import fixtures in
`tests/data/import/`; OUT_DIR/<target>/ gets one file per seed.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import msgpack

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.targets import CSV_FILES, CSV_SEPARATOR

IMPORT = Path(__file__).resolve().parents[1] / "data" / "import"

REQUESTS = [
    {"v": 1, "kind": "request", "id": "h1", "type": "hello",
     "payload": {"client": {"name": "fuzz", "version": "1"}, "protocols": [1]}},
    {"v": 1, "kind": "request", "id": "p1", "type": "ping", "payload": {"echo": "hi"}},
    {"v": 1, "kind": "request", "id": "c1", "type": "call.place",
     "payload": {"target": "+14155550132", "region": "US",
                 "record": {"crm": "salesforce", "record_id": "006A", "url": "https://x.example"}}},
    {"v": 1, "kind": "request", "id": "g1", "type": "context.get",
     "payload": {"snapshot": {"crm": "generic", "record_id": "006A", "contacts": [
         {"name": "Ana Lima", "role": "Decision Maker", "phones": ["+1 415 555 0132"]}]}}},
    {"v": 1, "kind": "request", "id": "d1", "type": "call.dtmf",
     "payload": {"call_id": "0" * 32, "digits": "12#"}},
    {"v": 1, "kind": "chunk", "id": "k", "index": 0, "count": 2, "data": "e30="},
]  # fmt: skip
SNAPSHOTS = [
    {"target": "+14155550132", "snapshot": REQUESTS[3]["payload"]["snapshot"]},  # type: ignore[index]
    {"target": "sip:bob@example.com", "record": {"crm": "hubspot", "record_id": "12"},
     "snapshot": {"crm": "hubspot", "record_id": "12", "opportunity_name": "Deal",
                  "documents": [{"title": "Quote", "url": "https://x.example/q.pdf"}]}},
]  # fmt: skip
DIAL = ["+1 415-555-0132 x42", "tel:+442079460018;ext=12", "sip:alice@pbx.example.com",
        "callto://+4930123456", "020 7946 0018", "911", "sips:[::1]:5061"]  # fmt: skip


def _native_frame(message: object) -> bytes:
    body = json.dumps(message).encode()
    return struct.pack("=I", len(body)) + body


def seeds() -> dict[str, list[bytes]]:
    csv_valid = CSV_SEPARATOR.join(
        (IMPORT / "valid" / n).read_bytes() if (IMPORT / "valid" / n).exists() else b""
        for n in CSV_FILES
    )
    csv_broken = CSV_SEPARATOR.join(
        (IMPORT / "broken" / n).read_bytes() if (IMPORT / "broken" / n).exists() else b""
        for n in CSV_FILES
    )
    return {
        "native": [b"".join(_native_frame(r) for r in REQUESTS), _native_frame(REQUESTS[1])],
        "socket": [b"\x01" + msgpack.packb(r) for r in REQUESTS],
        "dispatch": [b"\x01" + json.dumps(r).encode() for r in REQUESTS],
        "dial": [b"\x00\x01" + d.encode() for d in DIAL],
        "csv": [csv_valid, csv_broken],
        "snapshot": [json.dumps(s).encode() for s in SNAPSHOTS],
    }


def main() -> None:
    out = Path(sys.argv[1])
    for target, items in seeds().items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for index, data in enumerate(items):
            (folder / f"seed-{index}").write_bytes(data)


if __name__ == "__main__":
    main()
