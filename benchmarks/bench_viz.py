"""Benchmark of the interactive view: Python side (layout, page) and the first frame in Chromium.

    python benchmarks/bench_viz.py [N ...]        # default: 500 5000 20000 nodes

Prints, per size: the seconds for ``from_records`` + ``kg.layout.layout`` + the whole
``write_html``, the page size, and (when /usr/bin/chromium and Playwright are there) the
milliseconds from navigation to vis-network's first drawn frame.  The tests only assert the
issue's browser budget (5 s for 5,000 nodes); the numbers to watch over time are here.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.analytics import from_records  # noqa: E402
from kg.layout import layout  # noqa: E402
from kg.viz import write_html  # noqa: E402
from tests.browser import CHROMIUM, LAUNCH_ARGS, TOP_CLASS, VIEWPORT, synthetic_records  # noqa: E402


def first_frame_ms(path: Path) -> float | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.is_file():
        return None
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS,
            viewport=VIEWPORT)
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.kg && window.kg.ready", timeout=300_000)
        ms = float(page.evaluate("kg.readyAt"))
        context.close()
        return ms


def main(sizes):
    print(f"{'nodes':>6} {'edges':>6} {'records':>8} {'layout':>7} {'write':>7} {'MB':>5} {'frame ms':>9}")
    for n in sizes:
        entities, relations = synthetic_records(n)
        t = time.perf_counter()
        graph = from_records(entities, relations, top_class=TOP_CLASS)
        t_records = time.perf_counter() - t
        t = time.perf_counter()
        layout(graph)
        t_layout = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            path = write_html(entities, relations, Path(tmp) / "g.html", top_class=TOP_CLASS)
            t_write = time.perf_counter() - t
            size = path.stat().st_size / 1e6
            frame = first_frame_ms(path)
        print(f"{n:>6} {graph.number_of_edges():>6} {t_records:>8.2f} {t_layout:>7.2f} {t_write:>7.2f} "
              f"{size:>5.1f} {'-' if frame is None else f'{frame:.0f}':>9}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 5000, 20000])
