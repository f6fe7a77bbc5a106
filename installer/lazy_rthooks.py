"""PyInstaller runtime hooks run when their module is first imported, not at every start.

PyInstaller's runtime hooks for `inspect`, `pkgutil` and `multiprocessing` import those
modules (and `zipfile`) before our code runs: 25 to 50 ms on every start of the bundle,
though a browser launch of the native host uses none of them. `make_lazy` swaps them for
one generated hook that keeps each original hook's source and runs it right after its
module is first imported, so the daemon and the CLI get the same patches as before, at
the moment they need them. Used by `rolecall.spec`.
"""

from __future__ import annotations

from pathlib import Path

LAZY = {
    "pyi_rth_inspect": "inspect",
    "pyi_rth_pkgutil": "pkgutil",
    "pyi_rth_multiprocessing": "multiprocessing",
}
"""Runtime hook → the module whose first import runs it."""

_HOOK = '''"""Runs PyInstaller runtime hooks after their module's first import (installer/lazy_rthooks.py)."""


def _install_lazy_hooks(pending):
    import sys

    def run(module_name, source):
        code = compile(source, "<runtime hook for " + module_name + ">", "exec")
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})

    class ThenHook:
        def __init__(self, loader, module_name, source):
            self._loader = loader
            self._module_name = module_name
            self._source = source

        def create_module(self, spec):
            return self._loader.create_module(spec)

        def exec_module(self, module):
            self._loader.exec_module(module)
            run(self._module_name, self._source)

        def __getattr__(self, name):
            return getattr(self._loader, name)

    class LazyHooks:
        def find_spec(self, name, path=None, target=None):
            source = pending.pop(name, None)
            if source is None:
                return None
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                if finder is self or find is None:
                    continue
                spec = find(name, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = ThenHook(spec.loader, name, source)
                    return spec
            pending[name] = source
            return None

    for module_name in [name for name in pending if name in sys.modules]:
        run(module_name, pending.pop(module_name))
    sys.meta_path.insert(0, LazyHooks())


_install_lazy_hooks(PENDING)
del _install_lazy_hooks
'''


def make_lazy(scripts: list[tuple[str, str, str]], workpath: str) -> list[tuple[str, str, str]]:
    """`scripts` (an Analysis's) with the hooks in `LAZY` folded into one lazy hook."""
    pending: dict[str, str] = {}
    kept: list[tuple[str, str, str]] = []
    insert_at = None
    for entry in scripts:
        name, path, _kind = entry
        if name in LAZY:
            pending[LAZY[name]] = Path(path).read_text(encoding="utf-8")
            if insert_at is None:
                insert_at = len(kept)
            continue
        kept.append(entry)
    if insert_at is None:
        return scripts
    hook = Path(workpath) / "pyi_rth_rolecall_lazy.py"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(f"PENDING = {pending!r}\n\n{_HOOK}", encoding="utf-8")
    kept.insert(insert_at, ("pyi_rth_rolecall_lazy", str(hook), "PYSOURCE"))
    return kept
