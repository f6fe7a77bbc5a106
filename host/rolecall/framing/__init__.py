"""Byte framing for the two hops: native messaging (JSON) and the daemon socket (msgpack).

Nothing here imports pydantic: the native host shim uses it on every browser launch.
"""
