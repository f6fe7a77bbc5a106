"""The protocol's generated files match the pydantic models, and every side speaks its codes."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from rolecall.audio.engine import AudioEngine
from rolecall.audio.settings import AudioSettings
from rolecall.context.page_deals import PageDeals
from rolecall.context.service import ContextService
from rolecall.crm.oauth.connections import CrmConnections
from rolecall.crm.outbox import Outbox
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.audio_handlers import audio_handlers
from rolecall.daemon.context_handlers import context_handlers
from rolecall.daemon.core_handlers import core_handlers
from rolecall.daemon.crm_handlers import crm_handlers
from rolecall.daemon.dispatch import Dispatcher
from rolecall.daemon.memory_handlers import memory_handlers
from rolecall.daemon.server import DaemonServer
from rolecall.daemon.telephony_handlers import telephony_handlers
from rolecall.daemon.transcript_handlers import CallTranscripts, transcript_handlers
from rolecall.framing.errors import FrameError, FrameTooLarge, InvalidJson, TruncatedFrame
from rolecall.native_host_relay import error_message
from rolecall.paths import Home
from rolecall.protocol.envelope import MESSAGE_ADAPTER, ErrorResponse
from rolecall.protocol.errors import ErrorCode
from rolecall.protocol.methods import METHODS
from rolecall.protocol.schema import render
from rolecall.secrets import SecretStore
from rolecall.store.page_memory import PageMemory
from rolecall.store.page_settings import ContextSettings
from rolecall.store.store import Store
from rolecall.telephony.pjsua2_stack import Pjsua2Stack
from rolecall.telephony.service import TelephonyService
from rolecall.telephony.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "docs" / "protocol.schema.json"
GENERATED_TS = REPO / "extension" / "src" / "protocol" / "generated.ts"
GENERATOR = REPO / "extension" / "scripts" / "gen-protocol-types.mjs"


def test_committed_json_schema_matches_the_models() -> None:
    assert SCHEMA.read_text() == render(), "run `make protocol` and commit the result"


def test_committed_typescript_matches_the_models(tmp_path: Path) -> None:
    fresh_schema = tmp_path / "protocol.schema.json"
    fresh_schema.write_text(render())
    result = subprocess.run(
        ["node", str(GENERATOR), "--schema", str(fresh_schema), "--stdout"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout == GENERATED_TS.read_text(), "run `make protocol` and commit the result"


def test_typescript_names_every_method_event_and_error_code() -> None:
    text = GENERATED_TS.read_text()
    for method in METHODS:
        assert f'"{method}"' in text or f"  {method}:" in text
    for code in ErrorCode:
        assert f'"{code.value}"' in text


@pytest.mark.parametrize(
    "error", [FrameError("x"), FrameTooLarge(5, 4), InvalidJson("x"), TruncatedFrame("x")]
)
def test_framing_codes_are_protocol_codes(error: FrameError) -> None:
    assert error.code in set(ErrorCode)


@pytest.mark.parametrize("code", ["daemon_unavailable", "internal", "frame_too_large"])
def test_shim_error_replies_are_valid_protocol_messages(code: str) -> None:
    message = error_message("r-1", code, "text", log="tail")
    assert isinstance(MESSAGE_ADAPTER.validate_python(message), ErrorResponse)
    invalid_id = error_message("not a valid id!", code, "text")
    assert invalid_id["id"] is None
    assert isinstance(MESSAGE_ADAPTER.validate_python(invalid_id), ErrorResponse)


def test_every_method_has_a_handler(rc_home: Home) -> None:
    server = DaemonServer(rc_home)
    service = TelephonyService(
        rc_home, Pjsua2Stack(load_settings(rc_home)), server.emit, SecretStore(rc_home)
    )
    store = Store(rc_home.data_dir / "rolecall.db")
    handlers = {
        **core_handlers(server),
        **audio_handlers(rc_home, AudioEngine(AudioSettings(), use_portaudio=False)),
        **telephony_handlers(service),
        **context_handlers(ContextService(store), WriteBacks(Outbox(store), {})),
        **memory_handlers(PageDeals(PageMemory(store.db), ContextSettings())),
        **crm_handlers(CrmConnections(rc_home, SecretStore(rc_home)), {}, lambda: None),
        **transcript_handlers(
            CallTranscripts(rc_home, store, Outbox(store), server.emit, timedelta(0))
        ),
    }
    store.close()
    assert set(handlers) == set(METHODS)
    del handlers["ping"]
    with pytest.raises(ValueError, match="ping"):
        Dispatcher(handlers)
