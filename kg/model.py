"""The pkuseg segmentation model: fetched once with pip into a per-user cache, checked on load.

spacy-pkuseg ships no model and would download one from a host we cannot reach, so the
mixed-domain model is taken from the source distribution of ``pkuseg==0.0.25`` on the Python
package index, fetched with pip and checked against the sha256 pinned below.  Only the two
model files are kept::

    <cache root>/pkuseg-0.0.25/default/
        features.pkl    weights.npz    MANIFEST.json

The cache root is ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/policy-kg``, else
``~/.cache/policy-kg``.  An install is built in a temporary directory beside its target and
renamed into place, so a crash never leaves a model that :func:`locate_model` accepts.

Examples
--------
>>> model_dir("/data/kg-cache").as_posix()
'/data/kg-cache/pkuseg-0.0.25/default'
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

from .errors import ModelFetchError, ModelNotInstalledError
from .io import atomic_write_text

__all__ = [
    "PKUSEG_VERSION",
    "SDIST_SHA256",
    "cache_root",
    "model_dir",
    "locate_model",
    "install_model",
    "verify_model",
]

PKUSEG_VERSION = "0.0.25"
SDIST_NAME = f"pkuseg-{PKUSEG_VERSION}.tar.gz"
SDIST_SIZE = 48751866
SDIST_SHA256 = "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91"
# Where the model lies inside the sdist, and each file's (size, sha256) there.
SDIST_MODEL_DIR = f"pkuseg-{PKUSEG_VERSION}/pkuseg/models/default/"
MODEL_FILES: Mapping[str, Tuple[int, str]] = {
    "features.pkl": (76848940, "265dcf5534a11d6429776f7e7450a9eef8e075b1a4bedb82ef996994d9c721ac"),
    "weights.npz": (105745354, "95d1632a1fed45993b5006d8ba85939cb110fae71313987673582d24669811dd"),
}
MODEL_NAME = "default"
MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = 1
CACHE_ENV = "KG_CACHE_DIR"
CACHE_APP = "policy-kg"
INSTALL_HINT = "install it with `kg model install` (`make run` and `make test` do this)"
# Imported by pkuseg's setup.py, which pip runs to read the sdist's metadata.
PIP_BUILD_MODULES = ("setuptools", "numpy")
PIP_HINT = "pip needs numpy, setuptools and wheel in this environment: pip install numpy setuptools wheel"

_CHUNK = 1 << 20
_PIP_TAIL_LINES = 6
_SCRATCH_SUFFIX = ".tmp"
_LOCK = ".install.lock"

PathLike = Union[str, "os.PathLike[str]"]
Progress = Callable[[str], object]


def cache_root(cache_dir: Optional[PathLike] = None) -> Path:
    """The cache root: ``cache_dir`` if given, else from the environment (see the module doc)."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec says to ignore a relative value
        return Path(xdg) / CACHE_APP
    return Path.home() / ".cache" / CACHE_APP


def model_dir(cache_dir: Optional[PathLike] = None) -> Path:
    """Where the model lives under the cache root, installed or not."""
    return cache_root(cache_dir) / f"pkuseg-{PKUSEG_VERSION}" / MODEL_NAME


def locate_model(cache_dir: Optional[PathLike] = None) -> Path:
    """The installed model's directory, for ``nlp.tokenizer.initialize(pkuseg_model=...)``.

    A fast check: the manifest must match the pinned checksums and each file its size; the
    files are not hashed (that is :func:`verify_model`).

    Raises
    ------
    ModelNotInstalledError
        The model is missing or incomplete; the one-line message gives the install command.
    """
    target = model_dir(cache_dir)
    problem = _install_problem(target)
    if problem:
        raise ModelNotInstalledError(f"pkuseg model {problem}: {INSTALL_HINT}")
    return target


def install_model(
    cache_dir: Optional[PathLike] = None,
    *,
    find_links: Optional[PathLike] = None,
    force: bool = False,
    progress: Progress = print,
) -> Path:
    """Fetch ``pkuseg==0.0.25`` with pip, check it and install its model; return the model dir.

    Does nothing when a valid model is installed, unless ``force``.  Installs are serialised
    by a lock file, and temporary files are removed whatever happens.

    Parameters
    ----------
    cache_dir
        Cache root; default from the environment (see the module doc).
    find_links
        A directory of archives for pip (``--no-index --find-links``) instead of the index.
    force
        Reinstall even if a valid model is present.
    progress
        Called with one line per step.

    Raises
    ------
    ModelFetchError
        pip failed, the sdist's checksum differs from the pinned one, or the cache cannot be
        written.  Nothing is installed then, and a previous install is left as it was.
    """
    target = model_dir(cache_dir)
    if not force and _install_problem(target) is None:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _install_lock(target.parent, progress):
            if not force and _install_problem(target) is None:
                return target  # another process installed it while we waited
            _remove_scratch(target.parent)
            with _scratch_dir(target.parent, ".download-") as download:
                sdist = _pip_download(download, find_links, progress)
                _check_sdist(sdist, progress)
                with _scratch_dir(target.parent, f".{target.name}-") as staging:
                    files = _extract_model(sdist, staging, progress)
                    atomic_write_text(staging / MANIFEST, _manifest_text(files))
                    os.chmod(staging, 0o755)  # mkdtemp made it private; the cache is not
                    _swap_into_place(staging, target)
    except OSError as exc:
        raise ModelFetchError(f"cannot write the model cache {target.parent}: {exc}") from exc
    progress(f"pkuseg model installed in {target}")
    return target


def verify_model(cache_dir: Optional[PathLike] = None) -> Path:
    """Check every model file's sha256 against the manifest; return the model dir.

    Raises
    ------
    ModelNotInstalledError
        As :func:`locate_model`.
    ModelFetchError
        A file's content differs from the one installed (same size, other bytes).
    """
    target = locate_model(cache_dir)
    for name, (_, expected) in MODEL_FILES.items():
        actual = _sha256(target / name)
        if actual != expected:
            raise ModelFetchError(
                f"pkuseg model file {target / name} is corrupt: sha256 {actual}, expected "
                f"{expected}; reinstall it with `kg model install --force`"
            )
    return target


# -- checking an install -----------------------------------------------------------------------


def _manifest(files: Mapping[str, Tuple[int, str]]) -> Dict[str, object]:
    return {
        "format": MANIFEST_FORMAT,
        "pkuseg_version": PKUSEG_VERSION,
        "sdist": {"file": SDIST_NAME, "size": SDIST_SIZE, "sha256": SDIST_SHA256},
        "files": {name: {"size": size, "sha256": sha} for name, (size, sha) in sorted(files.items())},
    }


def _manifest_text(files: Mapping[str, Tuple[int, str]]) -> str:
    return json.dumps(_manifest(files), indent=2, sort_keys=True) + "\n"


def _install_problem(target: Path) -> Optional[str]:
    """Why ``target`` is not a usable install (phrased after "pkuseg model"), or None."""
    manifest = target / MANIFEST
    try:
        with open(manifest, encoding="utf-8") as fh:
            found = json.load(fh)
    except FileNotFoundError:
        return f"is not installed in {target}"
    except (OSError, ValueError) as exc:
        return f"manifest {manifest} is unreadable ({exc})"
    if found != _manifest(MODEL_FILES):
        return f"manifest {manifest} is not that of pkuseg {PKUSEG_VERSION}'s pinned model"
    for name, (size, _) in MODEL_FILES.items():
        try:
            actual = (target / name).stat().st_size
        except OSError:
            return f"file {target / name} is missing"
        if actual != size:
            return f"file {target / name} is incomplete ({actual} bytes, expected {size})"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- installing --------------------------------------------------------------------------------


@contextlib.contextmanager
def _install_lock(directory: Path, progress: Progress) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (POSIX; elsewhere installs are not serialised)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(directory / _LOCK, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another install into {directory} to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _scratch_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary directory in ``parent`` (same file system as the target), always removed."""
    path = Path(tempfile.mkdtemp(prefix=prefix, suffix=_SCRATCH_SUFFIX, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _remove_scratch(parent: Path) -> None:
    """Remove scratch directories a killed install left behind (call under the lock)."""
    for entry in parent.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(_SCRATCH_SUFFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _pip_download(dest: Path, find_links: Optional[PathLike], progress: Progress) -> Path:
    """Run ``pip download`` of the pinned sdist into ``dest``; return the archive's path."""
    missing = [m for m in PIP_BUILD_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelFetchError(f"cannot fetch pkuseg: {', '.join(missing)} not installed; {PIP_HINT}")
    cmd = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--no-build-isolation", "--no-binary", "pkuseg",
        "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
        "-d", str(dest),
    ]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    cmd.append(f"pkuseg=={PKUSEG_VERSION}")
    progress(f"fetching pkuseg {PKUSEG_VERSION} ({SDIST_SIZE / 1e6:.0f} MB) with pip")
    try:
        proc = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", check=False,
        )
    except OSError as exc:
        raise ModelFetchError(f"cannot run pip ({exc}); {PIP_HINT}") from exc
    if proc.returncode != 0:
        raise ModelFetchError(
            f"pip download pkuseg=={PKUSEG_VERSION} failed (exit {proc.returncode}): "
            f"{_tail(proc.stderr or proc.stdout)}; {PIP_HINT}"
        )
    got = sorted(p.name for p in dest.iterdir())
    if got != [SDIST_NAME]:
        raise ModelFetchError(f"pip download gave {got or 'nothing'}, expected {SDIST_NAME}")
    return dest / SDIST_NAME


def _tail(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-_PIP_TAIL_LINES:]) or "no output"


def _check_sdist(sdist: Path, progress: Progress) -> None:
    progress(f"checking the sha256 of {SDIST_NAME}")
    actual = _sha256(sdist)
    if actual != SDIST_SHA256:
        raise ModelFetchError(
            f"{SDIST_NAME} has sha256 {actual}, expected {SDIST_SHA256}; nothing installed"
        )


def _extract_model(sdist: Path, dest: Path, progress: Progress) -> Dict[str, Tuple[int, str]]:
    """Stream the model files out of ``sdist`` into ``dest``; return each one's (size, sha256).

    Only members whose names equal the expected paths are read, and they are written under
    names chosen here, so a member's name can never lead outside ``dest``.
    """
    wanted = {SDIST_MODEL_DIR + name: name for name in MODEL_FILES}
    found: Dict[str, Tuple[int, str]] = {}
    progress(f"extracting {', '.join(MODEL_FILES)} ({sum(s for s, _ in MODEL_FILES.values()) / 1e6:.0f} MB)")
    try:
        with tarfile.open(sdist, mode="r|gz") as tar:
            for member in tar:
                name = wanted.get(member.name)
                if name is None:
                    continue
                if not member.isreg() or name in found:
                    raise ModelFetchError(f"{SDIST_NAME}: member {member.name} is not one regular file")
                found[name] = _copy_member(tar, member, dest / name)
                if len(found) == len(wanted):
                    break
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise ModelFetchError(f"{SDIST_NAME}: cannot read the archive ({exc})") from exc
    for name, (size, sha) in MODEL_FILES.items():
        if name not in found:
            raise ModelFetchError(f"{SDIST_NAME} has no {SDIST_MODEL_DIR}{name}")
        if found[name] != (size, sha):
            raise ModelFetchError(
                f"{SDIST_NAME}: {name} has size {found[name][0]} and sha256 {found[name][1]}, "
                f"expected {size} and {sha}"
            )
    return found


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> Tuple[int, str]:
    """Copy one archive member to a new file ``dest``, hashing on the way; synced to disk."""
    digest = hashlib.sha256()
    size = 0
    src = tar.extractfile(member)
    if src is None:  # pragma: no cover - isreg() members always have data
        raise ModelFetchError(f"{SDIST_NAME}: member {member.name} has no data")
    with src, open(dest, "xb") as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, moving a previous install aside first (under the lock)."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}{_SCRATCH_SUFFIX}")
    if os.path.lexists(target):
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
    os.rename(staging, target)
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
