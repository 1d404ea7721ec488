"""Translation memory at scale: a 1,000,000-unit TMX imported, then a 1,300-segment batch
look-up against it (exact + best fuzzy match each), on SQLite and on PostgreSQL.

Targets (issue 12): import >= 20,000 entries/s; the batch look-up <= 5 s. The TMX is generated
here (`bench/out/tm_1m.tmx`, kept for later runs): sentences of 3-18 words drawn with a Zipf
law from 30,000 made-up words, one in ten with a placeholder or tag. The catalogue holds 400
sources found in the TM, 500 edited ones (a word replaced, dropped or added) and 400 new
sentences. Also timed: the same look-up against a 100,000-entry memory (what a job pays).

    .venv/bin/python bench/bench_tm.py [--entries N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from tests.services import PG_URL, reachable  # noqa: E402

from dragoman.core import orgs  # noqa: E402
from dragoman.core.assets import tm_io, tmx  # noqa: E402
from dragoman.core.assets.tm import Segment, TranslationMemory, parse_pair  # noqa: E402
from dragoman.core.assets.tm_index import for_database  # noqa: E402
from dragoman.store import migrate  # noqa: E402
from dragoman.store.db import Database  # noqa: E402

OUT = Path(__file__).parent / "out"
PAIR = parse_pair("en-es")
SPANS = ("{name}", "%s", "<b>", "</b>", "{count}", "%(user)s")


def _words(rng: random.Random, n: int = 30_000) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    # sorted: a set's order changes with the process's hash seed
    vocab = sorted({"".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(n)})
    weights, total = [], 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        weights.append(total)
    return vocab, weights


class Sentences:
    """Random sentences from a Zipf-distributed vocabulary."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab, self.cum = _words(self.rng)

    def make(self) -> str:
        rng = self.rng
        words = rng.choices(self.vocab, cum_weights=self.cum, k=rng.randint(3, 18))
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words)), rng.choice(SPANS))
        return " ".join(words).capitalize() + "."

    def edit(self, sentence: str) -> str:
        words = sentence.rstrip(".").split()
        rng = self.rng
        i = rng.randrange(len(words))
        action = rng.random()
        if action < 0.4:
            words[i] = rng.choice(self.vocab)
        elif action < 0.7 and len(words) > 3:
            del words[i]
        else:
            words.insert(i, rng.choice(self.vocab))
        return " ".join(words) + "."


def _translate(source: str) -> str:
    return " ".join(w if w in SPANS else w[::-1] for w in source.split())


def generate(path: Path, entries: int) -> list[str]:
    """Write the TMX (unless it exists with that many units); return its first sources."""
    gen = Sentences(12)
    sample: list[str] = []

    def records() -> Iterator[tmx.TmxRecord]:
        for _ in range(entries):
            source = gen.make()
            if len(sample) < 20_000:
                sample.append(source)
            yield tmx.TmxRecord(source, _translate(source), {})

    marker = path.with_suffix(".count")
    if path.exists() and marker.exists() and marker.read_text() == str(entries):
        for unit in tmx.read(str(path)):  # the file's own first sources
            sample.append(unit.variants["en"])
            if len(sample) >= 20_000:
                break
        return sample
    path.parent.mkdir(exist_ok=True)
    with path.open("wb") as out:
        tmx.write(out, "en", "es", records())
    marker.write_text(str(entries))
    return sample


def catalogue(sample: list[str]) -> list[Segment]:
    """1,300 segments: 400 in the TM, 500 edited from it, 400 new."""
    gen = Sentences(99)
    rng = random.Random(7)
    picks = rng.sample(sample, 900)
    sources = picks[:400] + [gen.edit(s) for s in picks[400:]] + [gen.make() for _ in range(400)]
    rng.shuffle(sources)
    return [
        Segment(s, key=f"k{i}", previous=sources[i - 1] if i else None)
        for i, s in enumerate(sources)
    ]


def run(
    db: Database, label: str, path: Path, segments: list[Segment], small: Path
) -> dict[str, float]:
    migrate.upgrade(db)
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "bench").id
        small_org = orgs.get_or_create_org(conn, "bench-small").id
    tm = TranslationMemory(for_database(db))
    started = time.perf_counter()
    added = tm_io.import_tmx(tm, org, str(path), pair=PAIR)
    import_s = time.perf_counter() - started
    count = sum(added.values())
    figures = {"entries": count, "import_s": import_s, "rate": count / import_s}
    print(f"[{label}] imported {count:,} entries in {import_s:.1f} s: {count / import_s:,.0f}/s")
    # Cold: a new index, as in a worker process just started (it loads the pair's snapshot
    # and indexes what was added since); warm: the same index again, as a worker keeps it.
    tm = TranslationMemory(for_database(db))
    for name in ("cold", "warm"):
        started = time.perf_counter()
        matches = tm.lookup(org, PAIR, segments, touch=False)
        figures[f"lookup_{name}_s"] = elapsed = time.perf_counter() - started
        bands: dict[str, int] = {}
        for m in matches:
            bands[m.band.value if m else "none"] = bands.get(m.band.value if m else "none", 0) + 1
        print(f"[{label}] look-up of {len(segments)} segments ({name}): {elapsed:.2f} s; {bands}")
    tm_io.import_tmx(tm, small_org, str(small), pair=PAIR)
    tm.lookup(small_org, PAIR, segments, touch=False)  # the warm cache a worker keeps
    started = time.perf_counter()
    tm.lookup(small_org, PAIR, segments, touch=True)
    figures["lookup_100k_s"] = time.perf_counter() - started
    small_s = figures["lookup_100k_s"]
    print(f"[{label}] look-up against 100,000 entries (warm, with touch): {small_s:.2f} s")
    started = time.perf_counter()
    tm.lookup(small_org, PAIR, segments, fuzzy_floor=100, touch=True)
    figures["exact_100k_s"] = exact_s = time.perf_counter() - started
    print(f"[{label}] exact-only look-up against 100,000 entries (a job's): {exact_s:.3f} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    path = OUT / f"tm_{args.entries}.tmx"
    started = time.perf_counter()
    sample = generate(path, args.entries)
    small = OUT / "tm_100000_small.tmx"
    if not small.exists():
        with small.open("wb") as out, path.open("rb") as src:
            count = 0
            for line in src:  # the first 100,000 units of the big file
                out.write(line)
                count += line.startswith(b"    </tu>")
                if count >= 100_000:
                    break
            out.write(b"  </body>\n</tmx>\n")
    print(
        f"TMX ready in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
    )
    segments = catalogue(sample)
    results: dict[str, dict[str, float]] = {}
    if not args.no_sqlite:
        work = OUT / f"tm_bench_{secrets.token_hex(3)}.db"
        db = Database(f"sqlite:///{work}")
        try:
            results["SQLite"] = run(db, "SQLite", path, segments, small)
        finally:
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
    if not args.no_postgres and reachable("127.0.0.1", 5432):
        name = f"tm_bench_{secrets.token_hex(3)}"
        admin = create_engine(
            PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db = Database(PG_URL.rsplit("/", 1)[0] + f"/{name}")
        try:
            results["PostgreSQL"] = run(db, "PostgreSQL", path, segments, small)
        finally:
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
    for label, f in results.items():
        ok_rate = "PASS" if f["rate"] >= 20_000 else "FAIL"
        ok_cold = "PASS" if f["lookup_cold_s"] <= 5 else "FAIL"
        ok_warm = "PASS" if f["lookup_warm_s"] <= 5 else "FAIL"
        print(
            f"{label}: import {f['rate']:,.0f}/s (>= 20,000: {ok_rate}); look-up cold "
            f"{f['lookup_cold_s']:.2f} s ({ok_cold}), warm {f['lookup_warm_s']:.2f} s "
            f"(<= 5 s: {ok_warm}); "
            f"100k-entry look-up {f['lookup_100k_s']:.2f} s"
        )


if __name__ == "__main__":
    main()
