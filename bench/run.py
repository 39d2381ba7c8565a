"""The benchmark of what a user waits for: the installed CLI, end to end, beside ledger-cli.

    python bench/run.py --persons 10000 --years 30                # SQLite, about 1M events
    python bench/run.py --persons 1250 --years 30 --pg URL        # PostgreSQL, in a fresh schema
    python bench/run.py --persons 300 --years 10 --runs 3         # a quick look

Every figure is the median of ``--runs`` runs of the installed ``scop-ledger`` console script,
each a fresh process under ``/usr/bin/time`` (wall clock and peak resident memory), as a treasurer
runs it; each ``import`` goes into a fresh store (``init`` first, untimed). ledger-cli (Debian's
``ledger``) answers the same question, the share balances on the same date, on the same history
written as a journal, in the same run: the ratio holds across machines where seconds do not.
The figures, the machine they were measured on and a machine reference (a fixed Python loop) go
to stdout as a Markdown table and to ``bench/out/results-<backend>-<events>.json``;
docs/performance.md holds the current ones. Nothing here is timed in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate, write  # noqa: E402

TIME = "/usr/bin/time"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS (MB), stdout and CPU seconds (user + system) of one command run
    under /usr/bin/time. On a shared machine the wall clock measures the other processes too;
    the CPU time is the command's own work (its waits for the disk excluded)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        proc = subprocess.run(
            [TIME, "-f", "%M %U %S", "-o", report.name, *args],
            capture_output=True,
            text=True,
            env=env,
        )
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {proc.stderr.strip()[:400]}")
        rss_kb, user, system = report.read().strip().splitlines()[-1].split()
    return seconds, int(rss_kb) / 1024, proc.stdout, float(user) + float(system)


def measured(label: str, args: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median, fastest and slowest wall time, the median CPU time and the median peak RSS of
    ``runs`` runs."""
    times, memory, cpu = [], [], []
    for _ in range(runs):
        seconds, rss, _out, used = timed(args, env)
        times.append(seconds)
        memory.append(rss)
        cpu.append(used)
    figure = {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_s": round(statistics.median(cpu), 3),
        "peak_rss_mb": round(statistics.median(memory), 1),
        "runs": runs,
    }
    print(
        f"  {label}: {figure['median_s']:.3f} s median, {figure['cpu_s']:.2f} s CPU, "
        f"{figure['peak_rss_mb']:.0f} MB"
    )
    return figure


def compile_package() -> str:
    """Compile the installed package's modules, as ``pip install`` does: an editable install
    on a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one does) would otherwise compile
    every module again in every timed run, which a user's installation never does."""
    import compileall

    import scop_ledger

    folder = Path(scop_ledger.__file__).parent
    compileall.compile_dir(str(folder), quiet=1)
    return str(folder)


def machine() -> dict[str, object]:
    """What the figures were measured on, and a fixed pure-Python loop's best of five seconds
    (the machines differ; two runs compare through it). The package's modules are compiled
    first (:func:`compile_package`)."""
    compiled = compile_package()
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory = meminfo.read_text().splitlines()[0].split(":", 1)[1].strip()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "reference_loop_s": round(best, 3),
        "bytecode_compiled": compiled,
        "load_average": os.getloadavg(),
    }


@contextmanager
def fresh_store(pg: str | None, folder: Path) -> Iterator[str]:
    """The URL of an empty store: a new SQLite file, or a new schema of ``pg`` (dropped after)."""
    if pg is None:
        db = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{db}"
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        return
    from urllib.parse import quote

    import sqlalchemy

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg else "?"
    try:
        yield f"{pg}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def ledger_cli_balances(out: str) -> dict[str, int]:
    balances: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-1].startswith("Shares:"):
            balances[parts[-1].split(":", 1)[1]] = int(parts[0].replace(",", ""))
    return balances


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--pg", default=None, help="a PostgreSQL URL (fresh schemas are used)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    parser.add_argument("--import-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--skip-ledger-cli", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    exe = shutil.which("scop-ledger", path=str(Path(sys.executable).parent)) or "scop-ledger"
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "persons": args.persons,
        "years": args.years,
        "backend": "postgresql" if args.pg else "sqlite",
        "commands": {},
    }
    commands: dict[str, dict[str, float]] = results["commands"]  # type: ignore[assignment]
    args.out.mkdir(parents=True, exist_ok=True)
    history = generate(args.persons, args.years)
    rows_file, journal = write(history, args.out)
    start = history.start
    last = date.fromisoformat(str(history.rows[-1]["date"]))
    as_of = date(last.year - 1, 12, 31)
    results["rows"] = len(history.rows)
    results["as_of"] = as_of.isoformat()
    del history
    print(f"{results['rows']:,} rows over {args.years} years; as of {as_of}")

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    base_env.update({"SCOP_LEDGER_USER": "bench", "SCOP_LEDGER_LANG": "en"})
    init = ["init", "acme", "--name", "Bench Scop", "--legal-form", "sa", "--share-value", "25"]
    init += ["--date", start.isoformat()]
    import_runs = args.import_runs or args.runs
    with fresh_store(args.pg, args.out) as url:
        env = {**base_env, "SCOP_LEDGER_DB": url}
        times, memory, cpu = [], [], []
        for run in range(import_runs):
            with fresh_store(args.pg, args.out) as scratch:
                scratch_env = {**base_env, "SCOP_LEDGER_DB": scratch}
                subprocess.run([exe, *init], env=scratch_env, check=True, capture_output=True)
                seconds, rss, _, used = timed([exe, "import", str(rows_file)], scratch_env)
            times.append(seconds)
            memory.append(rss)
            cpu.append(used)
            print(f"  import run {run + 1}: {seconds:.1f} s, {used:.1f} s CPU, {rss:.0f} MB")
        rows = int(results["rows"])  # type: ignore[call-overload]
        commands["import"] = {
            "median_s": round(statistics.median(times), 2),
            "cpu_s": round(statistics.median(cpu), 2),
            "rows_per_s": round(rows / statistics.median(times)),
            "rows_per_cpu_s": round(rows / statistics.median(cpu)),
            "peak_rss_mb": round(statistics.median(memory), 1),
            "runs": import_runs,
        }
        # The store the queries are asked of: imported once more, untimed.
        subprocess.run([exe, *init], env=env, check=True, capture_output=True)
        subprocess.run([exe, "import", str(rows_file)], env=env, check=True, capture_output=True)
        head = json.loads(timed([exe, "verify", "--format", "json"], env)[2])
        results["events"] = events = int(str(head.get("head", "0:")).split(":")[0] or 0)
        when = as_of.isoformat()
        for name, extra in (
            ("capital", ["--as-of", when]),
            ("votes", ["--as-of", when]),
            ("refunds", ["--as-of", when]),
            ("members", ["--as-of", when]),
            ("compliance", ["--as-of", when]),
            ("timeline", ["--as-of", when]),
            ("factsheet", ["--year", str(as_of.year)]),
            ("verify", []),
        ):
            commands[name] = measured(name, [exe, name, *extra, "--format", "json"], env, args.runs)
        commands["rebuild"] = measured("rebuild", [exe, "rebuild"], env, args.runs)
        commands["rebuild"]["events_per_s"] = round(events / commands["rebuild"]["median_s"])
        commands["rebuild"]["events_per_cpu_s"] = round(events / commands["rebuild"]["cpu_s"])
        if not args.skip_ledger_cli:
            ledger = shutil.which("ledger")
            if ledger is None:
                raise SystemExit("ledger-cli is not installed (Debian package 'ledger')")
            end = (as_of + timedelta(days=1)).isoformat()
            question = [ledger, "-f", str(journal), "bal", "^Shares:", "--flat", "--no-total"]
            question += ["--end", end]
            commands["ledger-cli balance"] = measured("ledger-cli", question, env, args.runs)
            theirs = {k: v for k, v in ledger_cli_balances(timed(question, env)[2]).items() if v}
            capital = json.loads(
                timed([exe, "capital", "--as-of", when, "--format", "json"], env)[2]
            )
            ours = {p["person"]: p["shares"] for p in capital["partners"] if p["shares"]}
            results["same_balances_as_ledger_cli"] = ours == theirs
            for name in ("capital", "votes", "refunds"):
                results[f"{name}_speedup_vs_ledger_cli"] = round(
                    commands["ledger-cli balance"]["median_s"] / commands[name]["median_s"], 1
                )
            results["capital_cpu_speedup_vs_ledger_cli"] = round(
                commands["ledger-cli balance"]["cpu_s"] / commands["capital"]["cpu_s"], 1
            )
    results["load_average_after"] = os.getloadavg()
    target = args.out / f"results-{results['backend']}-{results.get('events', 0)}.json"
    target.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"results in {target}")
    return 0


def table(results: dict[str, object]) -> str:
    """The figures as docs/performance.md shows them."""
    commands: dict[str, dict[str, float]] = results["commands"]  # type: ignore[assignment]
    lines = ["| command | median | min–max | CPU | peak RSS | throughput |", "|---" * 6 + "|"]
    for name, figure in commands.items():
        spread = (
            f"{figure.get('min_s', figure['median_s'])}–{figure.get('max_s', figure['median_s'])} s"
        )
        rate = ""
        if "rows_per_s" in figure:
            rate = f"{figure['rows_per_s']:,} rows/s ({figure['rows_per_cpu_s']:,} per CPU s)"
        elif "events_per_s" in figure:
            rate = f"{figure['events_per_s']:,} events/s ({figure['events_per_cpu_s']:,} per CPU s)"
        memory = f"{figure['peak_rss_mb']:.0f} MB"
        cpu = f"{figure['cpu_s']} s"
        lines.append(
            f"| `{name}` | {figure['median_s']} s | {spread} | {cpu} | {memory} | {rate} |"
        )
    if "capital_speedup_vs_ledger_cli" in results:
        same = results["same_balances_as_ledger_cli"]
        lines.append(
            f"\n`capital` / `votes` / `refunds` are {results['capital_speedup_vs_ledger_cli']}x / "
            f"{results['votes_speedup_vs_ledger_cli']}x / "
            f"{results['refunds_speedup_vs_ledger_cli']}x "
            f"faster than ledger-cli's balance on the same history by the wall clock, "
            f"{results['capital_cpu_speedup_vs_ledger_cli']}x by CPU time "
            f"(same balances: {same})."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
