"""The Windows registry, as far as Rolecall needs it: default values and named values.

Browsers on Windows find a host through `HKCU` or `HKLM` + `…\\NativeMessagingHosts\\<name>`,
whose default value is the manifest file's path; autostart sets one named value under
`HKCU\\…\\Run`. `WindowsRegistry` does that through
`winreg` (imported only on Windows); `MemoryRegistry` keeps the same operations in a
dict, so tests on any OS can check what would be written.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Protocol


class Registry(Protocol):
    """Default values of registry keys; `hive` is `HKCU` or `HKLM`."""

    def read_default(self, hive: str, key: str) -> str | None: ...

    def write_default(self, hive: str, key: str, value: str) -> None: ...

    def delete_key(self, hive: str, key: str) -> None: ...

    def read_value(self, hive: str, key: str, name: str) -> str | None: ...

    def write_value(self, hive: str, key: str, name: str, value: str) -> None: ...

    def delete_value(self, hive: str, key: str, name: str) -> None: ...


class MemoryRegistry:
    """A registry in a dict: what would be written, for tests and dry runs."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}
        """Default values by (hive, key)."""
        self.named: dict[tuple[str, str, str], str] = {}
        """Named values by (hive, key, name)."""

    def read_default(self, hive: str, key: str) -> str | None:
        return self.values.get((hive, key))

    def write_default(self, hive: str, key: str, value: str) -> None:
        self.values[(hive, key)] = value

    def delete_key(self, hive: str, key: str) -> None:
        self.values.pop((hive, key), None)
        for found in [k for k in self.named if k[:2] == (hive, key)]:
            del self.named[found]

    def read_value(self, hive: str, key: str, name: str) -> str | None:
        return self.named.get((hive, key, name))

    def write_value(self, hive: str, key: str, name: str, value: str) -> None:
        self.named[(hive, key, name)] = value

    def delete_value(self, hive: str, key: str, name: str) -> None:
        self.named.pop((hive, key, name), None)


if sys.platform == "win32":
    import winreg

    _HIVES = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}

    class WindowsRegistry:
        """The real registry (the default 64-bit view, which browsers read too)."""

        def read_default(self, hive: str, key: str) -> str | None:
            try:
                with winreg.OpenKey(_HIVES[hive], key) as handle:
                    value, kind = winreg.QueryValueEx(handle, "")
            except OSError:
                return None
            return value if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) else None

        def write_default(self, hive: str, key: str, value: str) -> None:
            with winreg.CreateKeyEx(_HIVES[hive], key, 0, winreg.KEY_WRITE) as handle:
                winreg.SetValueEx(handle, "", 0, winreg.REG_SZ, value)

        def delete_key(self, hive: str, key: str) -> None:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteKey(_HIVES[hive], key)

        def read_value(self, hive: str, key: str, name: str) -> str | None:
            try:
                with winreg.OpenKey(_HIVES[hive], key) as handle:
                    value, kind = winreg.QueryValueEx(handle, name)
            except OSError:
                return None
            return value if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) else None

        def write_value(self, hive: str, key: str, name: str, value: str) -> None:
            with winreg.CreateKeyEx(_HIVES[hive], key, 0, winreg.KEY_WRITE) as handle:
                winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

        def delete_value(self, hive: str, key: str, name: str) -> None:
            with (
                contextlib.suppress(FileNotFoundError),
                winreg.OpenKey(_HIVES[hive], key, 0, winreg.KEY_SET_VALUE) as handle,
            ):
                winreg.DeleteValue(handle, name)


def system_registry() -> Registry:
    """The machine's registry on Windows; elsewhere an empty in-memory one."""
    if sys.platform == "win32":
        return WindowsRegistry()
    return MemoryRegistry()
