"""Helpers for the browser tests: headless Debian Chromium driven by Playwright, fully offline.

Playwright is used only as a driver: no browser is downloaded, ``/usr/bin/chromium`` (Debian
package ``chromium``, installed by ``make system-deps``) is launched with a fresh profile.
A missing browser or Playwright *fails* the tests with the install command; it never skips.
"""
from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple

import pytest

from kg.types import Entity, Evidence, Relation

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium per test module (its own fresh profile directory)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` "
                    "(or as root: apt-get install chromium)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[test]'", pytrace=False)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True,
            args=LAUNCH_ARGS, viewport=VIEWPORT, service_workers="block")
        try:
            yield context
        finally:
            context.close()


@dataclass
class PageRun:
    """An opened page and everything it did: requests, console errors, dialogs, timings."""

    page: object
    url: str
    requests: List[str] = field(default_factory=list)
    console_errors: List[str] = field(default_factory=list)
    dialogs: List[str] = field(default_factory=list)
    ready_ms: float = 0.0  # navigation start -> first frame drawn by vis-network
    wall_s: float = 0.0  # goto() call -> ready, measured in Python

    def foreign_requests(self) -> List[str]:
        """Requests for anything but the page file itself."""
        return [u for u in self.requests if u != self.url]

    def eval(self, script: str, arg=None):
        return self.page.evaluate(script, arg)


def open_page(context, path: Path, *, timeout_s: float = 60.0) -> PageRun:
    """Open ``path`` from disk, block every network request, wait for the first drawn frame."""
    page = context.new_page()
    run = PageRun(page=page, url=path.resolve().as_uri())

    def on_route(route):
        if route.request.url != run.url:
            route.abort()  # recorded by the "request" handler; nothing leaves the page
        else:
            route.continue_()

    page.route("**/*", on_route)
    page.on("request", lambda request: run.requests.append(request.url))
    page.on("console", lambda msg: run.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: run.console_errors.append(f"pageerror: {exc}"))

    def on_dialog(dialog):
        run.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    start = time.perf_counter()
    page.goto(run.url, wait_until="load", timeout=timeout_s * 1000)
    page.wait_for_function("window.kg !== undefined && window.kg.ready === true",
                           timeout=timeout_s * 1000)
    run.wall_s = time.perf_counter() - start
    run.ready_ms = float(page.evaluate("window.kg.readyAt"))
    return run


def open_frame(context, path: Path, *, timeout_s: float = 60.0):
    """Open a page that embeds the graph in an ``<iframe srcdoc>``; return (PageRun, frame)."""
    page = context.new_page()
    run = PageRun(page=page, url=path.resolve().as_uri())
    page.route("**/*", lambda route: route.continue_() if route.request.url in (run.url, "about:srcdoc")
               else route.abort())
    page.on("request", lambda request: run.requests.append(request.url))
    page.on("console", lambda msg: run.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: run.console_errors.append(f"pageerror: {exc}"))
    page.on("dialog", lambda dialog: (run.dialogs.append(dialog.message), dialog.dismiss()))
    start = time.perf_counter()
    page.goto(run.url, wait_until="load", timeout=timeout_s * 1000)
    frame = next(f for f in page.frames if f is not page.main_frame)
    frame.wait_for_function("window.kg !== undefined && window.kg.ready === true",
                            timeout=timeout_s * 1000)
    run.wall_s = time.perf_counter() - start
    run.requests = [u for u in run.requests if u != "about:srcdoc"]
    return run, frame


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16).reshape(-1, 3)


def blank_fraction(png: bytes) -> Tuple[float, int]:
    """(share of near-white pixels, number of distinct colours) of a PNG screenshot."""
    import numpy as np

    px = _pixels(png)
    white = float((px > 245).all(axis=1).mean())
    return white, len(np.unique(px, axis=0))


def has_colour(png: bytes, hex_colour: str, *, tolerance: int = 12, at_least: int = 20) -> bool:
    """Whether at least ``at_least`` pixels are within ``tolerance`` of ``hex_colour``."""
    import numpy as np

    want = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int((np.abs(_pixels(png) - want) <= tolerance).all(axis=1).sum()) >= at_least


_CLASSES = [("GovernmentBody", "Actor"), ("Organization", "Actor"), ("Plan", "Instrument"),
            ("Platform", "Instrument"), ("Pilot", "Instrument"), ("Industry", "Sector"),
            ("Province", "Region"), ("City", "Region")]
TOP_CLASS = dict(_CLASSES)
_PREDICATES = {("Actor", "Instrument"): "implements", ("Actor", "Actor"): "collaboratesWith",
               ("Instrument", "Sector"): "prioritisesSector", ("Instrument", "Region"): "targetsRegion",
               ("Actor", "Sector"): "prioritisesSector", ("Actor", "Region"): "targetsRegion"}


def synthetic_records(n: int, seed: int = 7) -> Tuple[List[Entity], List[Relation]]:
    """A deterministic policy-like graph: ``n`` entities, about 1.6 relations per entity.

    Preferential attachment (well-known ministries and sectors gather many links), a few
    isolated entities, and one evidence sentence per relation.
    """
    rnd = random.Random(seed)
    entities = []
    for i in range(n):
        cls, _top = _CLASSES[rnd.randrange(len(_CLASSES))]
        entities.append(Entity(f"{cls}{i:05d}", cls, labels=(f"别名{i}",) if i % 7 == 0 else ()))
    ends: List[int] = []  # every endpoint so far: a random pick prefers well-linked entities
    relations = []
    for i in range(1, n):
        if i % 50 == 0:
            continue  # isolated
        for _ in range(1 + (i % 3 == 0)):
            j = rnd.choice(ends) if ends and rnd.random() < 0.7 else rnd.randrange(i)
            a, b = entities[i], entities[j]
            pair = (TOP_CLASS[a.cls], TOP_CLASS[b.cls])
            if pair not in _PREDICATES:
                a, b = b, a
                pair = (pair[1], pair[0])
            predicate = _PREDICATES.get(pair, "collaboratesWith")
            doc = f"doc{i % 97:02d}"
            relations.append(Relation(a.key, predicate, b.key,
                                      Evidence(doc, i, 0, 2, f"{a.key}与{b.key}的第{i}句。"), rule="synthetic"))
            ends.extend((i, j))
    return entities, relations
