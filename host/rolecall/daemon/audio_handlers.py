"""`audio.devices`, `audio.set`, `audio.test` and the `audio.state` event over the engine.

Settings are remembered by device name in `config/audio.json`. Listing devices asks the
sound server and PortAudio, which can take a moment: it runs off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from rolecall.audio.devices import list_devices
from rolecall.audio.engine import AudioEngine, AudioState
from rolecall.audio.settings import AudioSettings, save_audio_settings
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.paths import Home
from rolecall.protocol.audio import (
    AudioChoice,
    AudioDevice,
    AudioDevicesResult,
    AudioSetParams,
    AudioStatePayload,
    AudioTestParams,
    AudioTestResult,
)
from rolecall.protocol.methods import Empty


def state_payload(state: AudioState) -> AudioStatePayload:
    return AudioStatePayload(
        input=state.input,
        output=state.output,
        ringer=state.ringer,
        no_microphone=state.input is None,
        no_speaker=state.output is None,
        echo_cancellation=state.echo_cancellation,
        noise_suppression=state.noise_suppression,
        ring_silenced=state.ring_silenced,
        reason=state.reason[:300],
    )


def state_publisher(
    loop: asyncio.AbstractEventLoop, emit: Callable[[str, Any], object]
) -> Callable[[AudioState], None]:
    """An engine listener (any thread) that emits `audio.state` on the loop."""

    def publish(state: AudioState) -> None:
        payload = state_payload(state)
        with contextlib.suppress(RuntimeError):  # the loop is closed: the daemon stops
            loop.call_soon_threadsafe(emit, "audio.state", payload)

    return publish


def audio_handlers(home: Home, engine: AudioEngine) -> dict[str, Handler]:
    """Handlers bound to one engine."""

    async def devices_result() -> AudioDevicesResult:
        # With audio off (ROLECALL_AUDIO=off) the daemon touches no sound server at all.
        found = (
            await asyncio.get_running_loop().run_in_executor(None, list_devices, engine.sd)
            if engine.sd is not None
            else []
        )
        chosen = engine.settings
        return AudioDevicesResult(
            devices=[
                AudioDevice(
                    name=d.name[:200] or "?",
                    host_api=d.host_api[:100],
                    inputs=d.inputs,
                    outputs=d.outputs,
                    default_input=d.default_input,
                    default_output=d.default_output,
                )
                for d in found
            ],
            chosen=AudioChoice(**chosen.model_dump()),
            state=state_payload(engine.state()),
        )

    async def devices(caller: Caller, params: Empty) -> AudioDevicesResult:
        return await devices_result()

    async def set_(caller: Caller, params: AudioSetParams) -> AudioDevicesResult:
        changes = params.model_dump(exclude_none=True)
        for key in ("input", "output", "ringer"):
            if changes.get(key) == "":
                changes[key] = None
        settings = AudioSettings(**{**engine.settings.model_dump(), **changes})
        await asyncio.get_running_loop().run_in_executor(None, save_audio_settings, home, settings)
        await asyncio.get_running_loop().run_in_executor(None, engine.apply, settings)
        return await devices_result()

    async def test(caller: Caller, params: AudioTestParams) -> AudioTestResult:
        # Idle, the streams are closed: open them first, so the tone lasts `seconds`.
        await asyncio.get_running_loop().run_in_executor(None, engine.open_now)
        engine.reset_level()
        engine.play("test")
        await asyncio.sleep(params.seconds)
        engine.stop_tone("test")
        state = engine.state()
        return AudioTestResult(
            output=state.output, input=state.input, mic_level_dbfs=engine.level_dbfs()
        )

    handlers: dict[str, Any] = {
        "audio.devices": devices,
        "audio.set": set_,
        "audio.test": test,
    }
    return handlers
