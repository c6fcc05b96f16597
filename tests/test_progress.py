"""Progress bars (kg/progress.py): shown on stderr when enabled, nothing at all otherwise."""
from __future__ import annotations

import pytest

from kg.progress import bar


def test_a_bar_counts_and_says_what_happens(capsys):
    with bar(3, "writing", unit="graph") as b:
        b.update(2)
        b.update(1)
        b.status("compacting the store")
    shown = capsys.readouterr().err
    assert "writing: 100%" in shown and "3/3 [" in shown and "graph/s, compacting the store]" in shown


def test_a_bar_without_a_total_counts(capsys):
    with bar(None, "reading", unit=" files") as b:
        for _ in range(5):
            b.update(1)
        b.status("finding near-duplicates")
    assert "reading: 5 files [" in capsys.readouterr().err


def test_a_disabled_bar_prints_nothing(capsys):
    with bar(3, "writing", enabled=False) as b:
        b.update(3)
        b.status("compacting the store")
    assert capsys.readouterr().err == ""


def test_the_bar_is_closed_on_error(capsys):
    with pytest.raises(RuntimeError):
        with bar(3, "writing") as b:
            b.update(1)
            raise RuntimeError("stop")
    # closing a bar that is not left on screen clears its line
    assert capsys.readouterr().err.endswith("\r")
