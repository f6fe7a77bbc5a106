# The webrtcvad module comes from the `webrtcvad-wheels` distribution; the contributed
# hook asks for `webrtcvad`'s metadata, which does not exist, and stops the build.
# ruff: noqa
from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("webrtcvad-wheels")
