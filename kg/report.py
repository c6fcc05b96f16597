"""``kg report OUTDIR``: the analytics of a build as Markdown, JSON and a PNG chart.

:func:`write_report` reads ``OUTDIR/graph.ttl`` (any build output), runs
:func:`kg.analytics.analyse` and writes, atomically:

* ``report.md``: counts per class, relations, top entities overall and per class,
  communities, connected components, near-duplicates merged, and per document which actors
  use which instruments on which sectors and regions;
* ``report.json``: the same numbers (:meth:`kg.analytics.Analytics.to_json`);
* ``report.png``: bar charts of the top actors and instruments by degree (matplotlib).

:func:`summary_lines` gives the few lines that end ``kg build``'s summary, from the same numbers.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from .analytics import Analytics, EntityScore, analyse, to_networkx
from .errors import InputError
from .io import PathLike, atomic_write_bytes, atomic_write_text

__all__ = ["ReportFiles", "write_report", "render_markdown", "render_chart", "summary_lines"]

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
              "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", "SimHei")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # never at a line start: # + - > need no escape


@dataclass(frozen=True)
class ReportFiles:
    """The files one report wrote, and the numbers in them."""

    markdown: Path
    json: Path
    chart: Path
    analytics: Analytics


def write_report(outdir: PathLike, *, top_n: int = 10, seed: int = 1) -> ReportFiles:
    """Write ``report.md``, ``report.json`` and ``report.png`` beside ``OUTDIR/graph.ttl``.

    Raises
    ------
    InputError
        When ``OUTDIR/graph.ttl`` does not exist (run ``kg build`` first).
    """
    outdir = Path(outdir)
    ttl = outdir / "graph.ttl"
    if not ttl.is_file():
        raise InputError(f"{ttl}: no such file; build the graph first: kg build PATH... -o {outdir}")
    analytics = analyse(to_networkx(ttl), seed=seed, top_n=top_n)
    chart = atomic_write_bytes(outdir / "report.png", render_chart(analytics, top_n=top_n))
    data = atomic_write_text(outdir / "report.json", analytics.to_json())
    markdown = atomic_write_text(outdir / "report.md",
                                 render_markdown(analytics, chart_name=chart.name, top_n=top_n))
    return ReportFiles(markdown=markdown, json=data, chart=chart, analytics=analytics)


def summary_lines(analytics: Analytics, n: int = 5) -> List[str]:
    """A few lines for the end of ``kg build``: the top actors and instruments, communities.

    >>> from kg.analytics import analyse, from_records
    >>> from kg.types import Entity
    >>> a = analyse(from_records([Entity("国务院", "GovernmentBody")], [],
    ...                          top_class={"GovernmentBody": "Actor"}))
    >>> summary_lines(a)  # doctest: +NORMALIZE_WHITESPACE
    ['graph: 1 entities, 0 facts between them (lexicon parents included)', 'top actors: 国务院 (0)',
     'communities: 1 (largest 1: 国务院)', 'components: 1 (largest 1)']
    """
    lines = [f"graph: {analytics.entities} entities, {analytics.facts} facts between them "
             "(lexicon parents included)"]
    for top, name in (("Actor", "actors"), ("Instrument", "instruments")):
        best = analytics.top(n, top)
        if best:
            lines.append(f"top {name}: " + ", ".join(f"{s.key} ({s.degree})" for s in best))
    if analytics.communities:
        biggest = analytics.communities[0]
        lines.append(f"communities: {len(analytics.communities)} (largest {biggest.size}: "
                     + ", ".join(biggest.members[:3]) + ")")
    if analytics.components:
        lines.append(f"components: {len(analytics.components)} (largest {analytics.components[0]})")
    return lines


# --------------------------------------------------------------------------- Markdown


def _md(text: object) -> str:
    """Text from documents, shown literally in Markdown (and HTML-safe)."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> List[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_md(c) if isinstance(c, str) else str(c) for c in row) + " |"
            for row in rows]
    return out


def _score_rows(scores: Sequence[EntityScore]) -> List[List[object]]:
    return [[s.key, s.cls, s.degree, f"{s.betweenness:.3f}",
             "" if s.mentions is None else s.mentions] for s in scores]


def render_markdown(analytics: Analytics, *, chart_name: Optional[str] = "report.png",
                    top_n: int = 10) -> str:
    """The report as Markdown; every name and sentence from the documents is escaped."""
    a = analytics
    lines = ["# policy-kg report", ""]
    lines.append(f"{a.entities} entities, {a.facts} distinct facts between them, "
                 f"{len(a.communities)} communities, {len(a.components)} connected components, "
                 f"{len(a.documents)} documents ({len(a.duplicates)} near-duplicates merged).")
    lines.append("")
    if chart_name:
        lines += [f"![Top actors and instruments by degree]({chart_name})", ""]

    lines += ["## Entities per class", ""]
    rows = []
    for top, classes in a.counts.items():
        detail = ", ".join(f"{c} {n}" for c, n in classes.items())
        rows.append([top, sum(classes.values()), detail])
    lines += _table(["top class", "entities", "classes"], rows) + [""]

    lines += ["## Relations", ""]
    lines += _table(["predicate", "facts"], [[p, n] for p, n in a.predicates.items()]) + [""]

    lines += [f"## Top {top_n} entities", "",
              "By degree (facts the entity takes part in), then betweenness centrality"
              + (f" (estimated from {a.betweenness_sample} sampled sources)"
                 if a.betweenness_sample else "") + ".", ""]
    header = ["entity", "class", "degree", "betweenness", "mentions"]
    lines += _table(header, _score_rows(a.top(top_n))) + [""]
    for top, scores in a.top_by_class.items():
        if scores:
            lines += [f"### {top}", ""] + _table(header, _score_rows(scores[:top_n])) + [""]

    lines += ["## Communities", "", f"Louvain (networkx, seed {a.seed}); members by degree.", ""]
    rows = [[c.index + 1, c.size, ", ".join(f"{k} {n}" for k, n in c.classes.items()),
             "、".join(c.members[:8]) + (" …" if c.size > 8 else "")]
            for c in a.communities[:20]]
    lines += _table(["#", "size", "classes", "members"], rows)
    if len(a.communities) > 20:
        lines.append(f"\n… and {len(a.communities) - 20} smaller communities.")
    lines += ["", "## Connected components", "",
              f"{len(a.components)} components; sizes: "
              + ", ".join(str(n) for n in a.components[:20])
              + (" …" if len(a.components) > 20 else ""), ""]

    lines += ["## Near-duplicates merged", ""]
    if a.duplicates:
        lines += _table(["document", "counted as", "similarity"],
                        [[d.doc_id, d.canonical, "" if d.similarity is None else f"{d.similarity:.2f}"]
                         for d in a.duplicates])
    else:
        lines.append("None.")
    lines += ["", "## Documents: who uses which instruments, on which sectors and regions", ""]
    for doc in a.documents:
        heading = _md(doc.doc_id) + (f": {_md(doc.title)}" if doc.title else "")
        lines += [f"### {heading}", ""]
        if doc.usages:
            lines += _table(["actor", "relation", "instrument", "sectors", "regions"],
                            [[u.actor, u.predicate, u.instrument, "、".join(u.sectors),
                              "、".join(u.regions)] for u in doc.usages])
        else:
            lines.append("No actor–instrument fact read from this document"
                         + (" (its facts are counted in its canonical copy)."
                            if any(d.doc_id == doc.doc_id for d in a.duplicates) else "."))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- chart


def _cjk_font() -> Optional[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def render_chart(analytics: Analytics, *, top_n: int = 10) -> bytes:
    """PNG bytes: horizontal bars of the top actors and instruments by degree.

    Raises
    ------
    ImportError
        When matplotlib is not installed (with the install command).
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("kg report draws its chart with matplotlib: pip install matplotlib") from exc

    font = _cjk_font()
    groups = [("Actor", "Top actors", "#4e79a7"), ("Instrument", "Top instruments", "#f28e2b")]
    rows = max(1, max(len(analytics.top(top_n, t)) for t, _, _ in groups))
    fig = Figure(figsize=(11, 1.2 + 0.38 * rows), dpi=100)
    rc = {"font.family": [font, "sans-serif"]} if font else {}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        for i, (top, title, colour) in enumerate(groups):
            ax = fig.add_subplot(1, 2, i + 1)
            scores = list(analytics.top(top_n, top))[::-1]
            ax.barh([s.key for s in scores], [s.degree for s in scores], color=colour)
            ax.set_title(title)
            ax.set_xlabel("degree (facts)")
            ax.spines[["top", "right"]].set_visible(False)
            if not scores:
                ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
