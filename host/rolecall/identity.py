"""Names that tie the extension and the host together; they must match the extension build.

The Chromium id follows from the public key in the extension's manifest (`key`);
`tests/test_identity.py` recomputes it from the build so the two cannot drift.
"""

HOST_NAME = "com.rolecall.host"
"""The native messaging host's name (`[a-z0-9_.]` only)."""
HOST_DESCRIPTION = "Rolecall native messaging host"
CHROMIUM_EXTENSION_ID = "hffpmcdddcflcdlikecihfpofnnogjni"
GECKO_EXTENSION_ID = "rolecall@rolecall.app"
