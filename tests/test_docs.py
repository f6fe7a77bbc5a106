"""The documentation names every module, and every path it names exists.

Two rules, both on backticked text only (prose is never guessed at):

* every host module (`host/rolecall/**.py`) and extension module (`extension/src/**.ts(x)`)
  is named in `docs/ARCHITECTURE.md`, by its path relative to `host/rolecall/` or
  `extension/src/` (or by its full path);
* in `docs/*.md`, a backticked path that starts with `tests/`, `host/`, `extension/`, `docs/`
  or `installer/` exists in the repository, and a backticked module in the first column of a
  table row (a name ending in `.py`, `.ts` or `.tsx`) exists under the section's root:
  `host/rolecall/` or `extension/src/` when the last `## ` heading names one of them, else
  under either of them or the repository itself. Paths holding `*`, `<`, `{`, `$` or `…`
  are patterns, not paths.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HOST_PKG = ROOT / "host" / "rolecall"
EXT_SRC = ROOT / "extension" / "src"

BACKTICKED = re.compile(r"`([^`\s]+)`")
REPO_PATH = re.compile(r"^(?:tests|host|extension|docs|installer)/[\w./-]*$")
TABLE_MODULE = re.compile(r"^\|\s*`([^`\s]+\.(?:py|tsx?))`")
PATTERN_CHARS = set("*<{$…")


def _modules() -> list[tuple[Path, str]]:
    host = [(HOST_PKG, p.relative_to(HOST_PKG).as_posix()) for p in HOST_PKG.rglob("*.py")]
    ext = [
        (EXT_SRC, p.relative_to(EXT_SRC).as_posix())
        for p in [*EXT_SRC.rglob("*.ts"), *EXT_SRC.rglob("*.tsx")]
    ]
    return sorted(host + ext)


def test_architecture_names_every_module() -> None:
    named = set(BACKTICKED.findall((DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8")))
    missing = [
        f"{base.relative_to(ROOT).as_posix()}/{rel}"
        for base, rel in _modules()
        if rel not in named and f"{base.relative_to(ROOT).as_posix()}/{rel}" not in named
    ]
    assert not missing, f"modules not named in docs/ARCHITECTURE.md: {missing}"


def _section_root(heading: str, current: Path | None) -> Path | None:
    if "`host/rolecall/`" in heading or "(`host/`" in heading:
        return HOST_PKG
    if "`extension/src/`" in heading or "(`extension/`" in heading:
        return EXT_SRC
    return None if heading.startswith("## ") else current


def _dangling(doc: Path) -> list[str]:
    problems: list[str] = []
    root: Path | None = None
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            root = _section_root(line, root)
            continue
        for text in BACKTICKED.findall(line):
            if REPO_PATH.match(text) and not (ROOT / text).exists():
                problems.append(f"{doc.name}:{number}: `{text}`")
        row = TABLE_MODULE.match(line)
        if row and not PATTERN_CHARS & set(row.group(1)):
            module = row.group(1)
            bases = [root] if root is not None else [HOST_PKG, EXT_SRC, ROOT]
            if not any((base / module).exists() for base in bases):
                problems.append(f"{doc.name}:{number}: module `{module}`")
    return problems


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_paths_named_in_docs_exist(doc: Path) -> None:
    problems = _dangling(doc)
    assert not problems, "paths named in the docs that do not exist:\n" + "\n".join(problems)
