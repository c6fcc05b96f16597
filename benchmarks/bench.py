"""The performance table of issue 6: throughput, workers, memory, incremental rebuilds, store, HTML.

    python benchmarks/bench.py [--mb 10] [--memory-mb 1 10 50] [--repeat 3] [--only SECTION ...]

(``make bench`` runs it with the defaults.)  Every figure is measured in this run; timings are
medians over ``--repeat`` runs.  ``kg build`` runs as a subprocess, exactly as a user runs it,
with a fresh output directory (cold cache) unless the row says otherwise; its figures include
starting Python and loading the segmenter.  The corpus is written by ``benchmarks/corpus.py``:
real sentences of the seeds and the development corpus recombined into distinct documents.

Sections (``--only``): ``throughput`` (end-to-end and segmenter alone, pkuseg and jieba),
``workers`` (1 versus 2), ``memory`` (peak RSS by input size), ``incremental`` (no change, 1%
changed), ``store`` (load, named queries, Turtle on a graph of ``--triples`` triples), ``html``
(graph.html for 500, 5,000 and 20,000 nodes).  The table is printed as Markdown, ready for
``benchmarks/RESULTS.md``.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, List, NamedTuple, Optional, Sequence, Tuple, TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import write_corpus  # noqa: E402

SECTIONS = ("throughput", "workers", "memory", "incremental", "store", "html")
Row = Tuple[str, str, str]  # what, figure, note
A, B = TypeVar("A"), TypeVar("B")


class Run(NamedTuple):
    """One ``kg build`` subprocess."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the build and its worker processes, on every core
    rss: int  # peak resident memory of the build process, MB


def kg_build(corpus: Path, out: Path, *args: str) -> Run:
    """Wall and CPU seconds and peak RSS of one ``kg build`` subprocess."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out), "-q", *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kg build {corpus} failed ({proc.returncode}): {err.strip()}")
    # wait4's usage includes the workers the build waited for (a pool's processes)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024)


def median_of(repeat: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(repeat))


def characters(corpus: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8")) for p in corpus.rglob("*.txt"))


def fresh(tmp: Path, name: str) -> Path:
    path = tmp / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def segmenter_alone(corpus: Path, kind: str) -> Callable[[], Tuple[float, float]]:
    """A timer of the segmenter only (loaded beforehand) over the build's sentences: wall and CPU
    seconds of one pass.

    It times spaCy's ``nlp.pipe`` over the normalised sentences, nothing else: not reading the
    files, not turning spaCy's Docs into our tokens (that is the build's work, counted against it).
    """
    from kg import ingest
    from kg.config import settings_from
    from kg.lexicon import load_lexicon
    from kg.segment import load_segmenter

    docs = list(ingest.read_documents([str(corpus)], pattern="*.txt", errors=[]))
    settings = settings_from()
    seg = load_segmenter(kind, load_lexicon(settings.ontology_dir).user_dictionary())
    norms = [s.norm for d in docs for s in d.sentences]

    def run() -> Tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        for _ in seg.nlp.pipe(norms, batch_size=256):
            pass
        return time.perf_counter() - t, time.process_time() - c

    return run


def paired(first: Callable[[], A], second: Callable[[], B], repeat: int) -> List[Tuple[A, B]]:
    """``repeat`` pairs of timings ``(first(), second())``, run back to back.

    Every other pair runs ``second`` first, so a machine that speeds up or slows down during a
    pair does not always favour the same side.
    """
    pairs = []
    for r in range(repeat):
        if r % 2:
            b = second()
            pairs.append((first(), b))
        else:
            a = first()
            pairs.append((a, second()))
    return pairs


def throughput(corpus: Path, tmp: Path, repeat: int, rows: List[Row]) -> None:
    """End-to-end builds and the segmenter alone, in pairs: each ratio compares runs made minutes apart.

    The machine's speed drifts (shared hosts), so the ratio is the median of the per-pair ratios
    rather than a ratio of medians taken at different times.
    """
    chars = characters(corpus)
    for kind in ("pkuseg", "jieba"):
        seg_run = segmenter_alone(corpus, kind)
        pairs = paired(lambda: kg_build(corpus, fresh(tmp, "tp"), "--segmenter", kind, "--workers", "1"),
                       seg_run, repeat)
        e2e = statistics.median(e.wall for e, _ in pairs)
        seg = statistics.median(s for _, (s, _) in pairs)
        ratio = statistics.median(s / e.wall for e, (s, _) in pairs)
        # The build's own CPU on every core (its store loads in threads) against the segmenter's.
        cpu_ratio = statistics.median(c / e.cpu for e, (_, c) in pairs)
        rows.append((f"`kg build` end-to-end, {kind}, 1 worker", f"{chars / e2e:,.0f} chars/s",
                     f"{e2e:.1f} s for {chars:,} chars, incl. start-up and model load; "
                     f"CPU {statistics.median(e.cpu for e, _ in pairs):.1f} s"))
        rows.append((f"segmenter alone, {kind}", f"{chars / seg:,.0f} chars/s",
                     f"{seg:.1f} s: spaCy zh `nlp.pipe` over the same sentences, model loaded; "
                     f"CPU {statistics.median(c for _, (_, c) in pairs):.1f} s"))
        rows.append((f"ratio end-to-end / segmenter, {kind}", f"{ratio:.2f}",
                     f"median of the per-pair ratios ({_listed(s / e.wall for e, (s, _) in pairs)})"
                     + ("; target ≥ 0.7" if kind == "pkuseg" else "")))
        rows.append((f"ratio in CPU time, segmenter / `kg build`, {kind}", f"{cpu_ratio:.2f}",
                     f"median of the per-pair ratios of user + system seconds, all threads "
                     f"({_listed(c / e.cpu for e, (_, c) in pairs)})"))


def _listed(values: Iterable[float]) -> str:
    """Per-pair figures as the table shows them, in the order measured: "0.64, 0.68, 0.71"."""
    return ", ".join(f"{v:.2f}" for v in values)


def workers(corpus: Path, tmp: Path, repeat: int, rows: List[Row]) -> None:
    """1 worker against 2, in back-to-back pairs (the speed-up is the median of the per-pair ones),
    for the same reason as :func:`throughput`: builds made many minutes apart are not comparable."""
    chars = characters(corpus)
    pairs = paired(lambda: kg_build(corpus, fresh(tmp, "w1"), "--workers", "1"),
                   lambda: kg_build(corpus, fresh(tmp, "w2"), "--workers", "2"), repeat)
    one = statistics.median(o.wall for o, _ in pairs)
    two = statistics.median(t.wall for _, t in pairs)
    speedup = statistics.median(o.wall / t.wall for o, t in pairs)
    cpu_one, cpu_two = statistics.median(o.cpu for o, _ in pairs), statistics.median(t.cpu for _, t in pairs)
    rows.append(("`kg build` pkuseg, 2 workers", f"{chars / two:,.0f} chars/s",
                 f"{two:.1f} s; 1 worker {one:.1f} s in the same pairs; CPU {cpu_two:.1f} s against {cpu_one:.1f} s"))
    rows.append(("speed-up 2 workers / 1 worker", f"{speedup:.2f}×",
                 f"median of the per-pair speed-ups ({_listed(o.wall / t.wall for o, t in pairs)}); "
                 f"{os.cpu_count()} cores; target ≥ 1.7"))


def memory(sizes: Sequence[float], tmp: Path, rows: List[Row]) -> None:
    for mb in sizes:
        corpus = tmp / f"mem-{mb:g}"
        if not corpus.exists():
            write_corpus(corpus, mb, seed=int(mb * 1000))
        wall, _, rss = kg_build(corpus, fresh(tmp, "mem-out"), "--workers", "1")
        rows.append((f"peak RSS, {mb:g} MB input, pkuseg, 1 worker", f"{rss:,} MB", f"build {wall:.1f} s; target < 3 GB at 50 MB"))


def incremental(corpus: Path, tmp: Path, repeat: int, rows: List[Row]) -> None:
    work = tmp / "inc-corpus"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(corpus, work)
    out = fresh(tmp, "inc-out")
    first = kg_build(work, out, "--workers", "1").wall
    same = median_of(repeat, lambda: kg_build(work, out, "--workers", "1").wall)
    files = sorted(work.glob("*.txt"))
    rng = random.Random(1)
    times = []
    for r in range(repeat):
        for p in rng.sample(files, max(1, len(files) // 100)):
            p.write_text(p.read_text(encoding="utf-8") + f"\n工业和信息化部将开展第{r}批试点。\n", encoding="utf-8")
        times.append(kg_build(work, out, "--workers", "1").wall)
    changed = statistics.median(times)
    rows.append(("first build (pkuseg, 1 worker)", f"{first:.1f} s", "cold cache"))
    rows.append(("rebuild, nothing changed", f"{same:.1f} s", f"{first / same:.1f}× faster; target ≥ 20×"))
    rows.append(("rebuild, 1% of documents changed", f"{changed:.1f} s", f"{first / changed:.1f}× faster"))


def store(target: int, corpus: Path, tmp: Path, repeat: int, rows: List[Row]) -> None:
    """Load, query and serialise a graph of ``target`` triples: the corpus's named graphs, copied.

    The graphs are those of a real build (one per document, plus entities and ontology), copied
    with renamed IRIs until there are ``target`` triples, so the store has the shape a build of
    a bigger corpus gives: many document graphs, evidence records, direct relations repeated in
    every document that states them.  Every label exists once per copy.
    """
    import pyoxigraph as ox

    from kg.config import settings_from
    from kg.graph import Minter
    from kg.store import open_store, store_parts, sync_partition

    src = tmp / "store-src"
    if not (src / "store" / "CURRENT").exists():
        kg_build(corpus, fresh(tmp, "store-src"), "--workers", "1", "--no-html")
    base = settings_from().base
    ontology = str(Minter(base, None).graph("ontology"))
    with open_store(src / "store", read_only=True) as st:
        one = list(store_parts(st, base))
    per_copy = sum(len(p) for p in one if p.iri != ontology)
    copies = max(1, -(-target // per_copy))
    parts = [_copied(p, base, k) for k in range(copies) for p in one if k == 0 or p.iri != ontology]
    n = sum(len(p) for p in parts)
    shape = (f"{n:,} triples in {len(parts):,} named graphs: a build of the benchmark corpus "
             f"({len(one):,} graphs), {copies}× with renamed IRIs")

    # the build's own path: kg.store.sync_partition (N-Quads per graph, pyoxigraph's bulk loader)
    built = fresh(tmp, "store-built")
    compacting: List[float] = []
    t = time.perf_counter()
    sync_partition(built, parts, info={}, status=lambda _: compacting.append(time.perf_counter()))
    done = time.perf_counter()
    load, compaction = done - t, done - compacting[-1]
    rows.append(("store load, `kg build`'s path (`kg.store.sync_partition`, on disk)", f"{n / load:,.0f} triples/s",
                 f"{shape}; {load:.1f} s, of which compacting the store {compaction:.1f} s "
                 f"({n / (load - compaction):,.0f} triples/s without it); target ≥ 200k/s"))
    # pyoxigraph's bulk loader encodes and writes one batch on one core, so a single call loads
    # on about one core; two calls at once (halves of the data) show what two cores can do.
    nquads = b"".join(_nquads(p) for p in parts)
    for where, calls in (("on disk", 1), ("on disk", 2), ("in memory", 1)):
        ref = _ox_load(nquads, ox.RdfFormat.N_QUADS, fresh(tmp, "ox-bulk") if where == "on disk" else None, calls)
        rows.append((f"store load, pyoxigraph `bulk_load` of the same N-Quads, {where}, {_calls(calls)} (reference)",
                     f"{n / ref:,.0f} triples/s", f"{len(nquads) / n:.0f} bytes per quad; {ref:.1f} s"))
    del nquads
    # The same statements as one plain graph: a quad in a named graph is written to six indexes,
    # a triple of the default graph to three, so this is what a triple (not quad) store costs.
    plain = sorted({t for p in parts for t in p.triples})
    ntriples = "".join([f"{s} {p} {o} .\n" for s, p, o in plain]).encode("utf-8")
    for calls in (1, 2):
        ref = _ox_load(ntriples, ox.RdfFormat.N_TRIPLES, fresh(tmp, "ox-bulk"), calls)
        rows.append(("store load, pyoxigraph `bulk_load` of the distinct triples as N-Triples, default graph, "
                     f"on disk, {_calls(calls)} (reference)", f"{len(plain) / ref:,.0f} triples/s",
                     f"{len(plain):,} triples, no named graphs; {ref:.1f} s"))
    shutil.rmtree(tmp / "ox-bulk", ignore_errors=True)
    del plain, ntriples
    loads = len(rows)
    _query_rows(built, repeat, rows)
    _turtle_rows(parts, base, tmp, rows)
    rows.insert(loads, rows.pop(-2))  # rdflib's load rate beside the other load rates


def _ox_load(data: bytes, fmt, path: Optional[Path], calls: int = 1) -> float:
    """Seconds pyoxigraph's bulk loader takes to load ``data`` into a store at ``path`` (None: in memory),
    split at line ends into ``calls`` parts loaded at the same time, one thread each."""
    import pyoxigraph as ox

    st = ox.Store(str(path)) if path is not None else ox.Store()
    chunks = _split_lines(data, calls)
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=calls) as pool:
        for loaded in [pool.submit(st.bulk_load, chunk, format=fmt) for chunk in chunks]:
            loaded.result()
    st.flush()
    return time.perf_counter() - t


def _split_lines(data: bytes, parts: int) -> List[bytes]:
    """``data`` in ``parts`` pieces of about equal size, each ending at a line end."""
    cuts = [0]
    for k in range(1, parts):
        end = data.find(b"\n", max(cuts[-1], len(data) * k // parts))
        cuts.append(len(data) if end < 0 else end + 1)
    cuts.append(len(data))
    return [data[a:b] for a, b in zip(cuts, cuts[1:])]


def _calls(calls: int) -> str:
    return "one call" if calls == 1 else f"{calls} calls at once"


def _copied(part, base: str, k: int):
    """``part`` with every IRI under ``base`` moved under ``base`` + ``c{k}/`` (copy 0: unchanged)."""
    from kg.graph import Part

    if not k:
        return part
    old, new = "<" + base, f"<{base}c{k}/"
    triples = {tuple(new + t[len(old):] if t.startswith(old) else t for t in triple) for triple in part.triples}
    return Part(part.iri.replace(base, f"{base}c{k}/", 1), tuple(sorted(triples)))


def _nquads(part) -> bytes:
    graph = f" <{part.iri}> .\n"
    return "".join([f"{s} {p} {o}{graph}" for s, p, o in part.triples]).encode("utf-8")


def _query_rows(store_dir: Path, repeat: int, rows: List[Row]) -> None:
    """Each named query with its example parameters: on an open store, through run_query, through `kg query`."""
    from kg.query import QuerySession, named_queries, run_query

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    with QuerySession.open(store_dir) as session:
        for name, nq in named_queries().items():
            params = [what.split("e.g. ", 1)[1] for _, what in nq.params if "e.g. " in what]
            answer = session.run(name=name, params=params)
            ms = median_of(repeat, lambda: _timed(lambda: session.run(name=name, params=params))) * 1000
            api = median_of(repeat, lambda: _timed(lambda: run_query(store_dir, name=name, params=params))) * 1000
            argv = [sys.executable, "-m", "kg", "query", str(store_dir), "--name", name, "--format", "csv"]
            argv += [a for p in params for a in ("--param", p)]
            cli = median_of(repeat, lambda: _timed(lambda: subprocess.run(argv, env=env, check=True,
                                                                           stdout=subprocess.DEVNULL))) * 1000
            rows.append((f"query `{name}`", f"{ms:,.0f} ms",
                         f"open store ({len(answer.rows)} rows, {' '.join(params) or 'no parameter'}); "
                         f"`run_query` {api:,.0f} ms (opens the store); `kg query` {cli:,.0f} ms (new process); "
                         "target < 200 ms"))


def _timed(run: Callable[[], object]) -> float:
    t = time.perf_counter()
    run()
    return time.perf_counter() - t


def _turtle_rows(parts, base: str, tmp: Path, rows: List[Row]) -> None:
    """graph.ttl as a build writes it; rdflib's in-memory Graph (load and Turtle) and pyoxigraph as references."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.graph import write_turtle

    t = time.perf_counter()
    written = write_turtle(tmp / "bench.ttl", parts, base=base)
    rows.append(("Turtle, `kg build`'s writer (`kg.graph.write_turtle`)", f"{time.perf_counter() - t:.1f} s",
                 f"{written.triples:,} distinct triples"))
    mem = ox.Store()
    mem.bulk_load(path=str(tmp / "bench.ttl"), format=ox.RdfFormat.TURTLE)
    (tmp / "bench.ttl").unlink()
    t = time.perf_counter()
    mem.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    rows.append(("Turtle, pyoxigraph (reference, unsorted)", f"{time.perf_counter() - t:.1f} s", ""))
    nt = mem.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    del mem
    t = time.perf_counter()
    g = Graph()
    g.parse(data=nt, format="nt")
    load = time.perf_counter() - t
    rows.append(("store load, rdflib in-memory Graph (reference)", f"{written.triples / load:,.0f} triples/s",
                 f"parse the N-Triples of graph.ttl; {load:.1f} s"))
    t = time.perf_counter()
    g.serialize(format="turtle")
    rows.append(("Turtle, rdflib in-memory Graph (reference)", f"{time.perf_counter() - t:.1f} s", ""))


def html(rows: List[Row], sizes=(500, 5000, 20000)) -> None:
    from kg.viz import write_html
    from tests.browser import TOP_CLASS, synthetic_records

    for n in sizes:
        entities, relations = synthetic_records(n)
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            path = write_html(entities, relations, Path(d) / "graph.html", top_class=TOP_CLASS)
            wall = time.perf_counter() - t
            size = path.stat().st_size / 1e6
        rows.append((f"graph.html, {n:,} nodes", f"{wall:.2f} s", f"{size:.1f} MB"))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1e6:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size for throughput, workers, incremental (MB)")
    ap.add_argument("--memory-mb", type=float, nargs="+", default=[1, 10, 50], help="input sizes for peak RSS (MB)")
    ap.add_argument("--triples", type=int, default=1_000_000, help="graph size for the store rows")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    ap.add_argument("--tmp", type=Path, help="work directory (default: a temporary one, removed)")
    a = ap.parse_args(argv)
    sections = a.only or SECTIONS
    tmp = a.tmp or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    rows: List[Row] = []
    try:
        corpus = tmp / f"corpus-{a.mb:g}"
        if not corpus.exists():
            write_corpus(corpus, a.mb)
        docs = len(list(corpus.glob("*.txt")))
        for name in sections:
            t = time.perf_counter()
            done = len(rows)
            if name == "throughput":
                throughput(corpus, tmp, a.repeat, rows)
            elif name == "workers":
                workers(corpus, tmp, a.repeat, rows)
            elif name == "memory":
                memory(a.memory_mb, tmp, rows)
            elif name == "incremental":
                incremental(corpus, tmp, a.repeat, rows)
            elif name == "store":
                store(a.triples, corpus, tmp, a.repeat, rows)
            elif name == "html":
                html(rows)
            # A full run takes about an hour: each section's rows go out as soon as they are
            # measured, so a run cut short still leaves what it measured.
            for row in rows[done:]:
                print(_markdown(row), file=sys.stderr)
            print(f"[{name}: {time.perf_counter() - t:.0f} s]", file=sys.stderr, flush=True)
    finally:
        if a.tmp is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · commit {commit()} · {machine()}")
    print(f"corpus: {a.mb:g} MB, {docs:,} documents (benchmarks/corpus.py) · median of {a.repeat} run(s)\n")
    print("| measure | figure | note |\n|---|---|---|")
    for row in rows:
        print(_markdown(row))
    return 0


def _markdown(row: Row) -> str:
    return "| " + " | ".join(row) + " |"


if __name__ == "__main__":
    sys.exit(main())
