"""Settings: the shipped, commented ``default.cfg`` plus the caller's overrides."""
from __future__ import annotations

import configparser
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

__all__ = ["Settings", "load_settings", "settings_from", "SEGMENTERS"]

DEFAULT_CONFIG = Path(__file__).with_name("default.cfg")
SEGMENTERS = ("pkuseg", "jieba")


@dataclass(frozen=True)
class Settings:
    """Every setting of a build, read from ``default.cfg`` and overridden by the caller."""

    ontology_dir: Path
    pattern: str
    dedup_threshold: float
    dedup_num_perm: int
    dedup_shingle: int
    segmenter: str
    base: str
    max_evidence: int
    workers: int = 0  # extraction processes; 0: one per core (see kg/parallel.py)

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Return a copy with the given non-None values replaced and checked."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown setting(s) {sorted(unknown)}; valid: {sorted(known)}")
        changed = {k: v for k, v in overrides.items() if v is not None}
        if "ontology_dir" in changed:
            changed["ontology_dir"] = Path(changed["ontology_dir"])
        return _checked(replace(self, **changed))


def load_settings(path: Path = DEFAULT_CONFIG) -> Settings:
    """Read a config file in the format of ``default.cfg``."""
    parser = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh)
        return _checked(_from_parser(parser))
    except (configparser.Error, KeyError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _from_parser(p: configparser.ConfigParser) -> Settings:
    ontology_dir = p["paths"]["ontology_dir"].strip()
    return Settings(
        ontology_dir=Path(ontology_dir) if ontology_dir else _default_ontology_dir(),
        pattern=p["ingest"]["pattern"],
        dedup_threshold=p["dedup"].getfloat("threshold"),
        dedup_num_perm=p["dedup"].getint("num_perm"),
        dedup_shingle=p["dedup"].getint("shingle"),
        segmenter=p["segment"]["segmenter"].strip(),
        base=p["graph"]["base"].strip(),
        max_evidence=p["html"].getint("max_evidence"),
        workers=p["build"].getint("workers"),
    )


def _default_ontology_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "ontology"


def _checked(s: Settings) -> Settings:
    if s.segmenter not in SEGMENTERS:
        raise ConfigError(f"segmenter {s.segmenter!r} is not one of {', '.join(SEGMENTERS)}")
    if not 0.0 < s.dedup_threshold <= 1.0:
        raise ConfigError(f"dedup threshold {s.dedup_threshold} must be in (0, 1]")
    if not (s.base.startswith(("http://", "https://")) and s.base.endswith(("/", "#"))):
        raise ConfigError(f"graph base {s.base!r} must be an http(s) IRI ending in / or #")
    if s.max_evidence < 0:
        raise ConfigError(f"html max_evidence {s.max_evidence} must be >= 0")
    if s.workers < 0:
        raise ConfigError(f"build workers {s.workers} must be >= 0 (0: one per core)")
    return s


def settings_from(mapping: Mapping[str, Any] | None = None) -> Settings:
    """Defaults with ``mapping``'s non-None values applied (the Python API's entry point)."""
    return load_settings().with_overrides(**dict(mapping or {}))
