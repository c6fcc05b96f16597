"""Regenerate tests/golden/seeds.ttl after an intended change to the seed graph.

    python -m tests.regen_golden

Review the diff (git diff tests/golden) before committing it: the golden file is the record of
what the seed graph is expected to hold.
"""
from pathlib import Path

from kg.io import atomic_write_bytes
from kg.pipeline import build

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = build([str(REPO / "seeds")], Path(tmp), html=False)
        atomic_write_bytes(REPO / "tests" / "golden" / "seeds.ttl", result.outputs["graph.ttl"].read_bytes())
    print(f"wrote tests/golden/seeds.ttl ({result.triples} triples)")
