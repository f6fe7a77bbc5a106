"""The import graph of the host and of the extension: layers only point down, no cycles.

Each source module is placed in a layer by the longest matching prefix in the tables
below; an import of a module in a higher layer, or an import cycle, fails the test and
names the modules involved. Every import counts, also those inside functions: a lazy
import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "host"
EXT_SRC = ROOT / "extension" / "src"

# Host: (module prefix, layer). Within the services layer the order of the sub-layers
# matters too: a later one may import an earlier one, never the reverse.
HOST_LAYERS: tuple[tuple[str, float], ...] = (
    ("rolecall._version", 0),
    ("rolecall.identity", 0),
    ("rolecall.invocation", 0),
    ("rolecall.paths", 0),
    ("rolecall.atomic_file", 0),
    ("rolecall.framing", 0),
    ("rolecall.protocol", 0.5),
    ("rolecall.phones", 0.4),
    ("rolecall.secrets", 0.4),
    ("rolecall.store", 1.0),
    ("rolecall.calllog", 1.1),
    ("rolecall.crm", 1.2),
    ("rolecall.context", 1.3),
    ("rolecall.transcript", 1.25),
    ("rolecall.audio", 1.0),
    ("rolecall.telephony", 1.1),
    ("rolecall.install", 1.0),
    ("rolecall.daemon_link", 1.0),
    ("rolecall.client", 1.1),
    ("rolecall.daemon", 2),
    ("rolecall.native_host", 2),
    ("rolecall.native_host_", 2),  # native_host_relay.py
    ("rolecall.doctor", 2),
    ("rolecall.doctor_audio", 2),
    ("rolecall.autostart", 2),
    ("rolecall.cli", 3),
    ("rolecall.cli_", 3),  # every cli_*.py
    ("rolecall.demo", 3),
    ("rolecall.__main__", 3),
    ("rolecall", 0),  # the package's face
)

# Extension: protocol and shared at the bottom; the four programs on top never import
# one another.
EXT_LAYERS: tuple[tuple[str, float], ...] = (
    ("protocol", 0),
    ("shared", 1),
    ("content", 2),
    ("background", 2),
    ("sidepanel", 2),
    ("options", 2),
    ("i18n", 0),
)


def layer_of(module: str, table: Iterable[tuple[str, float]]) -> tuple[str, float]:
    best: tuple[str, float] | None = None
    for prefix, layer in table:
        matches = (
            module.startswith(prefix)
            if prefix.endswith("_")
            else module == prefix or module.startswith((prefix + ".", prefix + "/"))
        )
        if matches and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to the table in {__file__}")
    return best


# ---- host ---------------------------------------------------------------------------


def host_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((HOST / "rolecall").rglob("*.py")):
        parts = list(path.relative_to(HOST).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def host_imports(module: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if not name.startswith("rolecall"):
                continue
            # the longest known module the name points at (a module, or a name in it)
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def host_graph() -> dict[str, set[str]]:
    known = host_modules()
    return {module: host_imports(module, path, known) for module, path in known.items()}


# ---- extension ----------------------------------------------------------------------

_TS_IMPORT = re.compile(
    r"""(?:^|[;\n])\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]"""
    r"""|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]"""
    r"""|\bimport\(\s*['"]([^'"]+)['"]\s*\)""",
)


def ext_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(EXT_SRC.rglob("*")):
        if path.suffix in {".ts", ".tsx"} and not path.name.endswith(".d.ts"):
            found[path.relative_to(EXT_SRC).with_suffix("").as_posix()] = path
    return found


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$", " ", text)


def ext_graph() -> dict[str, set[str]]:
    known = ext_modules()
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets: set[str] = set()
        for match in _TS_IMPORT.finditer(_strip_comments(path.read_text(encoding="utf-8"))):
            spec = next(group for group in match.groups() if group)
            if not spec.startswith("."):
                continue  # a package from npm
            resolved = (path.parent / spec).resolve()
            try:
                rel = resolved.relative_to(EXT_SRC.resolve()).as_posix()
            except ValueError:
                continue  # outside src (none expected)
            rel = re.sub(r"\.(ts|tsx|js|json)$", "", rel)
            for candidate in (rel, f"{rel}/index"):
                if candidate in known:
                    targets.add(candidate)
                    break
        graph[module] = targets - {module}
    return graph


# ---- checks -------------------------------------------------------------------------


def upward_imports(graph: Mapping[str, set[str]], table: Iterable[tuple[str, float]]) -> list[str]:
    table = tuple(table)
    bad = []
    for module, targets in sorted(graph.items()):
        own_prefix, own = layer_of(module, table)
        for target in sorted(targets):
            prefix, layer = layer_of(target, table)
            if layer > own:
                bad.append(f"{module} ({own_prefix}, {own}) imports {target} ({prefix}, {layer})")
    return bad


def sibling_imports(graph: Mapping[str, set[str]], table: Iterable[tuple[str, float]]) -> list[str]:
    """Imports between different rooms of the same layer where the layer forbids them."""
    table = tuple(table)
    bad = []
    for module, targets in sorted(graph.items()):
        own_prefix, own = layer_of(module, table)
        for target in sorted(targets):
            prefix, layer = layer_of(target, table)
            if layer == own and prefix != own_prefix:
                bad.append(f"{module} imports {target}: {own_prefix} and {prefix} are siblings")
    return bad


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_host_layers_point_down() -> None:
    bad = upward_imports(host_graph(), HOST_LAYERS)
    assert not bad, "imports that run up the layers:\n" + "\n".join(bad)


def test_host_has_no_import_cycle() -> None:
    found = cycles(host_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_extension_layers_point_down() -> None:
    graph = ext_graph()
    bad = upward_imports(graph, EXT_LAYERS) + sibling_imports(graph, EXT_LAYERS)
    assert not bad, "imports that run up or across the layers:\n" + "\n".join(bad)


def test_extension_has_no_import_cycle() -> None:
    found = cycles(ext_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_graphs_are_read() -> None:
    """The readers see real edges: a broken reader would make the checks above vacuous."""
    host = host_graph()
    assert "rolecall.protocol.envelope" in host["rolecall.daemon.dispatch"]
    ext = ext_graph()
    assert any(target.startswith("protocol/") for target in ext["background/host-connection"])


@pytest.mark.parametrize(
    ("graph", "table", "upward", "cyclic"),
    [
        ({"a.x": {"a.y"}, "a.y": set()}, (("a.x", 0), ("a.y", 1)), 1, 0),
        ({"a.x": {"a.y"}, "a.y": {"a.x"}}, (("a", 0),), 0, 1),
        ({"a.x": {"a.y"}, "a.y": set()}, (("a.x", 1), ("a.y", 0)), 0, 0),
    ],
)
def test_checks_catch_what_they_should(
    graph: dict[str, set[str]], table: tuple[tuple[str, float], ...], upward: int, cyclic: int
) -> None:
    assert len(upward_imports(graph, table)) == upward
    assert len(cycles(graph)) == cyclic
