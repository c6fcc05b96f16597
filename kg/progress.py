"""Progress bars on stderr for the long steps of a build: reading, extracting, writing.

A build of years of releases spends minutes outside extraction too (reading and hashing every
file, writing the named graphs, compacting the store), so each step gets a bar, and a step with
nothing to count (compacting) says what it is doing beside the bar.  With ``enabled`` false
every call does nothing, so the stages call the same code either way.

>>> with bar(3, "writing", enabled=False) as b:
...     b.update(3)
...     b.status("compacting the store")
"""
from __future__ import annotations

import sys
from typing import Optional

__all__ = ["Bar", "bar"]


class Bar:
    """What a step calls on its bar (:meth:`update` counts, :meth:`status` says what happens now);
    this one shows nothing."""

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def update(self, n: int = 1) -> None:
        """``n`` more items done."""

    def status(self, text: str) -> None:
        """What the step is doing now, when it is not an item to count."""


class _Tqdm(Bar):
    def __init__(self, total: Optional[int], desc: str, unit: str):
        from tqdm import tqdm

        # Not left on screen: the build prints its summary when it is done.
        self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False)

    def __exit__(self, *exc) -> bool:
        self._bar.close()
        return False

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def status(self, text: str) -> None:
        self._bar.set_postfix_str(text, refresh=True)


def bar(total: Optional[int], desc: str, *, unit: str = "it", enabled: bool = True) -> Bar:
    """A tqdm bar on stderr of ``total`` items (None: counted without a total), or one that does
    nothing when not ``enabled``."""
    return _Tqdm(total, desc, unit) if enabled else Bar()
