"""A recorded call's two channel files beside its mixed WAV: the user and the far end.

`call.record` writes the mixed WAV and, from the same bridge clock, the two channel
files `recording_names` names: the user (the microphone, or the capture WAV with audio
off) and the far end (what the call sent us), so a transcript knows who spoke. The
recorders are pjsua2 objects: made, connected and dropped on the SIP thread. The files
are the user's alone (the daemon's umask is 077).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pjsua2 as pj

from rolecall.telephony.recording_names import channel_paths


@dataclass
class ChannelRecorders:
    """One recorded call's channel recorders (SIP thread only)."""

    user: pj.AudioMediaRecorder
    far: pj.AudioMediaRecorder
    tapped: bool = False


def create_channel_recorders(mixed: Path) -> ChannelRecorders:
    user_path, far_path = channel_paths(mixed)
    user = pj.AudioMediaRecorder()
    user.createRecorder(str(user_path))
    far = pj.AudioMediaRecorder()
    far.createRecorder(str(far_path))
    return ChannelRecorders(user, far)


def tap(channels: ChannelRecorders, *, user: pj.AudioMedia, far: pj.AudioMedia) -> None:
    """Both recorders start hearing their side (again, after a re-INVITE gave new media)."""
    user.startTransmit(channels.user)
    far.startTransmit(channels.far)
    channels.tapped = True


def untap(
    channels: ChannelRecorders, *, user: pj.AudioMedia | None, far: pj.AudioMedia | None
) -> None:
    """Disconnects both recorders; a port already gone with its call is no error."""
    for source, sink in ((user, channels.user), (far, channels.far)):
        if source is not None:
            with contextlib.suppress(pj.Error):
                source.stopTransmit(sink)
    channels.tapped = False
