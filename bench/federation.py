"""The federation benchmark: one PostgreSQL store holding a whole movement's cooperatives.

    python bench/federation.py --pg URL --scale 0.01               # 46 cooperatives, a look
    python bench/federation.py --pg URL --scale 0.1 --workers 2    # 460 cooperatives, ~1M events
    python bench/federation.py --sizes --scale 1                   # the size distribution only

The French movement in 2024 (CG Scop): 4,600 cooperatives (2,723 Scop, 1,417 Scic and their
subsidiaries), 87,699 jobs, median 5 employees, the largest about 1,750. ``--scale`` keeps the
shape: ``round(4600 * scale)`` cooperatives, ``87,699 * scale`` jobs, and always the largest
one (1,750 jobs), so that the largest cooperative's questions are asked at every scale.

Sizes are a log-normal's quantiles (deterministic: median 5), the largest set to 1,750, the
spread chosen (by bisection) so that the jobs add up to the total. Registration dates spread
over the 30 years 1995–2024; each cooperative's history is :func:`bench.generate.generate`'s
from its registration to 2024-12-31, with as many persons as it takes to have about its jobs
employed at the end. The project models Scop rules only (profiles fr-scop and be-cnc): the Scic
are loaded as ``fr-scop`` cooperatives (their volume is right, their rules are a Scop's).

Loading: ``--workers`` processes, each running the CLI's own entry point in-process (``init``
then ``import`` of each of its cooperatives: one process start per worker, not two per
cooperative), into a fresh PostgreSQL schema. Then every question is asked of the installed
``scop-ledger`` console script, a fresh process each run under ``/usr/bin/time`` (medians of
``--runs``): ``coops --as-of``, ``capital`` of a small, the median and the largest cooperative
(``--coop``), and ``verify`` of one cooperative (``--coop``) and of the whole store. A Markdown
table goes to stdout, the figures to ``bench/out/federation-<cooperatives>.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402

COOPS = 4600
SCOP, SCIC = 2723, 1417  # the rest: subsidiaries (groupements, filiales), counted with the Scop
JOBS = 87_699
MEDIAN = 5
LARGEST = 1750
FIRST_YEAR, LAST_DAY = 1995, date(2024, 12, 31)
ALONE = 300  # persons from which a cooperative's import is loaded alone (see load)
AS_OF = LAST_DAY


@dataclass(frozen=True)
class Coop:
    slug: str
    kind: str  # scop, scic or subsidiary
    legal_form: str
    registered: date
    jobs: int  # employed on AS_OF (the target; the generated history comes close)
    persons: int  # everyone the history employs or admits over the years
    seed: int


def _quantile(p: float) -> float:
    """The standard normal's quantile."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def sizes(scale: float = 1.0) -> list[int]:
    """Each cooperative's jobs, largest first: ``round(4600 * scale)`` log-normal quantiles of
    median 5, the largest 1,750, the spread chosen so that they add up to ``87,699 * scale``."""
    n = max(3, round(COOPS * scale))
    total = JOBS * scale
    zs = [_quantile((i + 0.5) / n) for i in range(n)]

    def jobs(sigma: float) -> list[int]:
        out = [min(LARGEST, max(1, round(MEDIAN * math.exp(sigma * z)))) for z in zs]
        out[-1] = LARGEST
        return out

    low, high = 0.1, 4.0
    for _ in range(60):
        mid = (low + high) / 2
        if sum(jobs(mid)) < total:
            low = mid
        else:
            high = mid
    return sorted(jobs((low + high) / 2), reverse=True)


def _employed_share(years: float, rng: random.Random, samples: int = 4000) -> float:
    """The share of a history's persons still employed at its end, by the generator's own
    draws (hire date, career length, 4 % investors): persons = jobs / share."""
    days = max(1, int(years * 365))
    employed = 0
    for _ in range(samples):
        if rng.random() < 0.04:
            continue
        hired = rng.randint(0, max(1, math.ceil(years) * 365 - 400))
        career = int(rng.uniform(1.5, 24) * 365)
        employed += hired <= days and hired + career > days
    return max(employed / samples, 0.05)


def federation(scale: float = 1.0, seed: int = 2024) -> list[Coop]:
    """The cooperatives, largest first: kind, legal form, registration date, jobs, persons."""
    rng = random.Random(seed)
    jobs = sizes(scale)
    n = len(jobs)
    scic = round(n * SCIC / COOPS)
    kinds = ["scic"] * scic + ["scop"] * round(n * SCOP / COOPS)
    kinds += ["subsidiary"] * (n - len(kinds))
    rng.shuffle(kinds)
    shares: dict[int, float] = {}
    out = []
    for i, (size, kind) in enumerate(zip(jobs, kinds, strict=True)):
        # The largest are mostly old; the others spread over the 30 years, more of them recent.
        span = (LAST_DAY - date(FIRST_YEAR, 1, 1)).days
        age = 1 - rng.random() ** 2.5 if size >= 50 else rng.random() ** 1.3
        registered = date.fromordinal(LAST_DAY.toordinal() - int(age * span) - 1)
        registered = date(registered.year, registered.month, 1)
        if i == 0:  # the largest: as old as the federation's history
            registered = date(FIRST_YEAR, 1, 1)
        years = (LAST_DAY - registered).days / 365.25
        key = max(1, math.ceil(years))
        if key not in shares:
            shares[key] = _employed_share(key, random.Random(key))
        persons = max(size, round(size / shares[key]))
        forms = ["sas", "sarl", "sa"] if kind == "scic" else ["sarl", "sas", "sa"]
        form = rng.choices(forms, [60, 30, 10])[0]
        out.append(Coop(f"c{i:05d}", kind, form, registered, size, persons, seed * 10_000 + i))
    return out


def history_rows(coop: Coop) -> list[dict[str, object]]:
    """The cooperative's rows from its registration to the end of 2024."""
    years = LAST_DAY.year - coop.registered.year + 1
    history = generate(coop.persons, years, seed=coop.seed, start=coop.registered)
    end = LAST_DAY.isoformat()
    return [row for row in history.rows if str(row["date"]) <= end]


# ------------------------------------------------------------------------------ loading


def _cli(args: list[str], attempts: int = 20) -> None:
    """The CLI's entry point, in this process (as the console script runs it); a write the
    store was too busy for (exit 3: nothing was recorded) is tried again."""
    from scop_ledger.cli.main import main

    for _ in range(attempts):
        try:
            code = main.main(args, prog_name="scop-ledger", standalone_mode=False)
        except SystemExit as done:  # the CLI's errors exit
            code = done.code
        if not code:
            return
        if code != 3:
            break
        time.sleep(random.uniform(0.5, 2))
    raise RuntimeError(f"{args[:4]} exited {code}")


def _load(job: tuple[str, Path, list[dict[str, object]]]) -> tuple[int, int, float]:
    """One worker's share: ``init`` and ``import`` of each of its cooperatives. Returns
    (cooperatives, rows, CPU seconds)."""
    url, folder, coops = job
    os.environ.update({"SCOP_LEDGER_USER": "bench", "SCOP_LEDGER_LANG": "en"})
    started = time.process_time()
    rows = 0
    for fields in coops:
        coop = Coop(**{**fields, "registered": date.fromisoformat(str(fields["registered"]))})
        history = history_rows(coop)
        path = folder / f"{coop.slug}.jsonl"
        with path.open("w") as f:
            for row in history:
                f.write(json.dumps(row) + "\n")
        name = f"{coop.kind.capitalize()} {coop.slug}"
        _cli(
            [
                "--db",
                url,
                "init",
                coop.slug,
                "--name",
                name,
                "--legal-form",
                coop.legal_form,
                "--share-value",
                "25",
                "--date",
                coop.registered.isoformat(),
                "--format",
                "json",
            ]
        )
        _cli(["--db", url, "--coop", coop.slug, "import", str(path), "--format", "json"])
        path.unlink()
        rows += len(history)
    return len(coops), rows, time.process_time() - started


def load(url: str, coops: list[Coop], workers: int, folder: Path) -> dict[str, float]:
    """Every cooperative into the store at ``url``: the largest (``ALONE`` persons or more)
    one at a time first, then the others ``workers`` processes at a time.

    Writes to one store are serialised (the event table's lock) and each write's recorded
    times must come after the previous write's: an import that builds its events for tens of
    seconds while another process keeps recording is refused and retried from scratch, again
    and again. So a large import goes alone; small ones go in parallel, retried when busy."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = [{**asdict(c), "registered": c.registered.isoformat()} for c in coops]
    large = [f for f in fields if int(f["persons"]) >= ALONE]  # type: ignore[call-overload]
    small = [f for f in fields if int(f["persons"]) < ALONE]  # type: ignore[call-overload]
    # Deal the small ones round-robin, largest first, so the workers finish about together.
    jobs: list[list[dict[str, object]]] = [[] for _ in range(workers)]
    for i, f in enumerate(small):
        jobs[i % workers].append(f)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        done = pool.map(_load, [(url, folder, large)])
    with context.Pool(workers) as pool:
        done += pool.map(_load, [(url, folder, job) for job in jobs])
    seconds = time.perf_counter() - started
    rows = sum(d[1] for d in done)
    cpu = sum(d[2] for d in done)
    return {
        "seconds": round(seconds, 1),
        "rows": rows,
        "worker_cpu_s": round(cpu, 1),
        "rows_per_s": round(rows / seconds),
        "rows_per_worker_cpu_s": round(rows / cpu) if cpu else 0,
        "workers": workers,
    }


# ------------------------------------------------------------------------------ timing


@contextmanager
def fresh_schema(pg: str | None, keep: bool) -> Iterator[str | None]:
    """A fresh schema of ``pg`` (as bench/run.py's ``fresh_store``), dropped after unless
    ``keep``; None without ``pg``."""
    if pg is None:
        yield None
        return
    from bench.run import fresh_store

    if not keep:
        with fresh_store(pg, HERE) as url:
            yield url
        return
    from urllib.parse import quote

    import sqlalchemy

    schema = f"federation_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in pg else "?"
    yield f"{pg}{sep}options={quote(f'-csearch_path={schema}')}"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--pg", default=None, help="a PostgreSQL URL (a fresh schema is used)")
    parser.add_argument("--workers", type=int, default=2, help="loader processes")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--sizes", action="store_true", help="print the distribution only")
    parser.add_argument(
        "--keep", action="store_true", help="keep the schema (its URL is printed) for a re-run"
    )
    parser.add_argument("--url", default=None, help="time an already loaded store (from --keep)")
    parser.add_argument("--load-only", action="store_true", help="load, keep, time nothing")
    return parser.parse_args()


def describe(coops: list[Coop]) -> dict[str, object]:
    jobs = [c.jobs for c in coops]
    kinds = {k: sum(1 for c in coops if c.kind == k) for k in ("scop", "scic", "subsidiary")}
    return {
        "cooperatives": len(coops),
        "jobs": sum(jobs),
        "median_jobs": statistics.median(jobs),
        "largest_jobs": max(jobs),
        "persons": sum(c.persons for c in coops),
        "kinds": kinds,
    }


def main() -> int:
    from bench.run import machine, measured, timed

    args = arguments()
    coops = federation(args.scale)
    shape = describe(coops)
    print(json.dumps(shape))
    if args.sizes:
        return 0
    if args.pg is None and args.url is None:
        raise SystemExit("--pg URL is needed (the federation store is PostgreSQL)")
    exe = shutil.which("scop-ledger", path=str(Path(sys.executable).parent)) or "scop-ledger"
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": args.scale,
        "shape": shape,
        "as_of": AS_OF.isoformat(),
        "commands": {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    keep = args.keep or args.load_only
    with fresh_schema(None if args.url else args.pg, keep) as fresh:
        url = args.url or fresh
        assert url is not None
        if args.url is None:
            print(f"loading {len(coops)} cooperatives with {args.workers} workers into {url}")
            results["load"] = load(url, coops, args.workers, args.out / "federation-rows")
            print(f"  load: {results['load']}")
        if args.load_only:
            print(f"loaded into {url}")
            return 0
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
        env.update({"SCOP_LEDGER_USER": "bench", "SCOP_LEDGER_LANG": "en", "SCOP_LEDGER_DB": url})
        ask(results, coops, exe, env, args.runs, measured, timed)
    results["load_average_after"] = os.getloadavg()
    target = args.out / f"federation-{len(coops)}.json"
    target.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    print(f"results in {target}")
    return 0


def ask(results, coops, exe, env, runs, measured, timed) -> None:  # type: ignore[no-untyped-def]
    """Every question, ``runs`` times each, of the installed console script."""
    commands: dict[str, dict[str, float]] = results["commands"]
    when = AS_OF.isoformat()
    # The view catches up once, untimed (the load's last import left it caught up anyway).
    head = json.loads(timed([exe, "verify", "--format", "json"], env)[2])
    results["events"] = int(head["entries"])  # the head's number counts retried writes too
    by_size = sorted(coops, key=lambda c: c.jobs)
    picks = {
        "small": by_size[len(by_size) // 10],
        "median": by_size[len(by_size) // 2],
        "largest": by_size[-1],
    }
    results["picked"] = {k: {"coop": c.slug, "jobs": c.jobs} for k, c in picks.items()}
    listed = [exe, "coops", "--as-of", when, "--format", "json"]
    # The first asks every cooperative and keeps each row (rm_headlines); the next reuse them.
    commands["coops --as-of (first: every row computed and kept)"] = measured(
        "coops first", listed, env, 1
    )
    commands["coops --as-of"] = measured("coops", listed, env, runs)
    answer = json.loads(timed(listed, env)[2])
    results["coops_listed"] = len(answer["coops"])
    results["jobs_listed"] = sum(int(c["jobs"]) for c in answer["coops"])
    for label, coop in picks.items():
        capital = [exe, "--coop", coop.slug, "capital", "--as-of", when, "--format", "json"]
        commands[f"capital ({label}: {coop.jobs} jobs)"] = measured(label, capital, env, runs)
    for label in ("median", "largest"):
        one = picks[label]
        check = [exe, "--coop", one.slug, "verify", "--format", "json"]
        name = f"verify --coop ({label}: {one.jobs} jobs)"
        commands[name] = measured(f"verify {label}", check, env, min(runs, 3))
        commands[name]["entries"] = json.loads(timed(check, env)[2])["entries"]
    commands["verify (whole store)"] = measured(
        "verify all", [exe, "verify", "--format", "json"], env, 1
    )
    # One cooperative records an entry: the next coops computes its row alone again.
    small = picks["small"].slug
    hire = [exe, "--coop", small, "hire", "bench-late", "--date", when]
    subprocess.run(hire, env=env, check=True, capture_output=True)
    commands["coops --as-of (after one cooperative's entry)"] = measured(
        "coops after a write", listed, env, 1
    )


def table(results: dict[str, object]) -> str:
    commands: dict[str, dict[str, float]] = results["commands"]  # type: ignore[assignment]
    lines = ["| command | median | min–max | CPU | peak RSS | runs |", "|---" * 6 + "|"]
    for name, f in commands.items():
        lines.append(
            f"| `{name}` | {f['median_s']} s | {f['min_s']}–{f['max_s']} s | {f['cpu_s']} s "
            f"| {f['peak_rss_mb']:.0f} MB | {f['runs']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
