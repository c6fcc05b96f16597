"""Shared fixtures: the pipeline is loaded once per test session (loading pkuseg costs seconds)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def pipeline():
    """The default pipeline: spaCy zh + pkuseg with the domain user dictionary.

    Needs the model (``make test`` installs it); without it the tests fail with the install hint.
    """
    from kg.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def jieba_pipeline():
    from kg.config import settings_from
    from kg.pipeline import Pipeline

    return Pipeline(settings_from({"segmenter": "jieba"}))


@pytest.fixture(scope="session")
def seed_build(pipeline, tmp_path_factory):
    """The seeds built once into a temporary output directory."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seed-build")
    return build([str(SEEDS)], out, pipeline=pipeline)
