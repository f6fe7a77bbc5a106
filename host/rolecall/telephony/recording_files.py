"""A recorded call's two channel files beside its mixed WAV: the user and the far end.

`call.record` writes the mixed WAV and, from the same bridge clock, the two channel
files `recording_names` names: the user (the microphone, or the capture WAV with audio
off) and the far end (what the call sent us), so a transcript knows who spoke. The
recorders are pjsua2 objects: made, connected and dropped on the SIP thread. The files
are the user's alone (the daemon's umask is 077). What the call does not hear of the user
(muted, on hold) is silence on the user's channel too.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pjsua2 as pj

from rolecall.telephony.recording_names import channel_paths

log = logging.getLogger(__name__)


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


def tap(
    channels: ChannelRecorders,
    *,
    user: pj.AudioMedia | None,
    far: pj.AudioMedia,
    clock: pj.AudioMedia,
) -> None:
    """The recorders start hearing their side (again, after a re-INVITE gave new media);
    `user` None: the user is muted, their channel stays silent.

    The bridge writes to a recorder only while something transmits to it, so a channel
    with no source (muted, held) would skip that time and slip against the other. The
    null sound device (`clock`, silence on the bridge's clock) feeds both, always."""
    clock.startTransmit(channels.user)
    clock.startTransmit(channels.far)
    if user is not None:
        user.startTransmit(channels.user)
    far.startTransmit(channels.far)
    channels.tapped = True


def hear_user(channels: ChannelRecorders, user: pj.AudioMedia, heard: bool) -> None:
    """The user's channel follows what the call hears of the user (mute, hold)."""
    try:
        if heard:
            user.startTransmit(channels.user)
        else:
            user.stopTransmit(channels.user)
    except pj.Error as exc:
        log.warning("recording: the user's channel did not follow: %s", exc.info())


def untap(
    channels: ChannelRecorders,
    *,
    user: pj.AudioMedia | None,
    far: pj.AudioMedia | None,
    clock: pj.AudioMedia,
) -> None:
    """Disconnects both recorders; a port already gone with its call is no error."""
    for source, sink in (
        (user, channels.user),
        (far, channels.far),
        (clock, channels.user),
        (clock, channels.far),
    ):
        if source is not None:
            with contextlib.suppress(pj.Error):
                source.stopTransmit(sink)
    channels.tapped = False
