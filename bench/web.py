"""How long each page of ``scop-ledger serve`` makes a reader wait, on a benchmark ledger.

    python bench/web.py --persons 10000 --years 30            # SQLite, about 1M events
    python bench/web.py --db sqlite:///bench/out/kept.db      # a ledger built before
    python bench/web.py --persons 1250 --years 30 --pg URL    # PostgreSQL, in a fresh schema
    python bench/web.py --db URL --pages '/register,/register?page=1000'   # only these pages

The ledger is built as bench/run.py builds it (the history generator, ``init`` and ``import``
through the installed CLI), unless ``--db`` names one. Then the installed ``scop-ledger serve``
runs in its own process, and every page (and the JSON API) is asked ``--runs`` times, each a
fresh request over loopback: the figures are the median of the server's own time, read from the
``Server-Timing`` header the application sets (from the request to the start of the answer), and
the median wall time the client waited. The first request of each page is left out (it loads the
page's modules and templates once per server). Results go to stdout as a Markdown table and to
``bench/out/web-<backend>-<events>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate, write  # noqa: E402
from bench.run import fresh_store, machine  # noqa: E402

BUDGET_MS = 300.0  # issue 19: every page in under 300 ms of server time at 1M events
PAGES = (
    "/",
    "/capital",
    "/votes",
    "/refunds",
    "/members",
    "/members/{person}",
    "/register",
    "/compliance",
    "/timeline",
    "/history",
    "/report",
    "/api/capital",
    "/api/compliance",
    "/api/timeline",
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--db", default=None, help="an existing ledger's URL (nothing is built)")
    parser.add_argument("--as-of", default=None, help="the pages' date (default: a year ago)")
    parser.add_argument("--pg", default=None, help="a PostgreSQL URL (a fresh schema is used)")
    parser.add_argument("--runs", type=int, default=5, help="requests of each page (median)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--pages", default=None, help="only these pages, comma-separated (e.g. /register,/history)"
    )
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(exe: str, url: str, args: argparse.Namespace, env: dict[str, str]) -> str:
    """Fill the empty store at ``url`` with the generated history; the pages' date."""
    history = generate(args.persons, args.years)
    rows_file, _journal = write(history, args.out)
    last = date.fromisoformat(str(history.rows[-1]["date"]))
    init = ["init", "acme", "--name", "Bench Scop", "--legal-form", "sa", "--share-value", "25"]
    init += ["--date", history.start.isoformat()]
    subprocess.run([exe, *init], env=env, check=True, capture_output=True)
    subprocess.run([exe, "import", str(rows_file)], env=env, check=True, capture_output=True)
    return date(last.year - 1, 12, 31).isoformat()


def ask(url: str) -> tuple[float, float, int]:
    """Server milliseconds (Server-Timing), client milliseconds and bytes of one GET."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as answer:
        body = answer.read()
        header = answer.headers.get("Server-Timing", "app;dur=nan")
    waited = (time.perf_counter() - started) * 1000
    return float(header.split("dur=", 1)[1]), waited, len(body)


def serve(exe: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("scop-ledger serve did not start in 60 s")


def measure(
    base: str, as_of: str, person: str, runs: int, pages: tuple[str, ...] = PAGES
) -> dict[str, dict[str, float]]:
    query = urllib.parse.urlencode({"as_of": as_of})
    out: dict[str, dict[str, float]] = {}
    for page in pages:
        path = page.format(person=urllib.parse.quote(person))
        path += "&" if "?" in path else "?"  # a page given with its own query (?page=40)
        ask(f"{base}{path}{query}")  # the first: modules and templates loaded once
        answers = [ask(f"{base}{path}{query}") for _ in range(runs)]
        out[page] = {
            "server_ms": round(statistics.median(a[0] for a in answers), 1),
            "client_ms": round(statistics.median(a[1] for a in answers), 1),
            "kb": round(answers[0][2] / 1024, 1),
        }
        print(f"  {page}: {out[page]['server_ms']} ms server, {out[page]['client_ms']} ms client")
    return out


def main() -> int:
    args = arguments()
    exe = shutil.which("scop-ledger", path=str(Path(sys.executable).parent)) or "scop-ledger"
    args.out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env.update({"SCOP_LEDGER_USER": "bench", "SCOP_LEDGER_LANG": "en"})
    on_pg = args.pg or (args.db or "").startswith("postgresql")
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "backend": "postgresql" if on_pg else "sqlite",
    }
    with ExitStack() as stack:
        url = args.db or stack.enter_context(fresh_store(args.pg, args.out))
        env["SCOP_LEDGER_DB"] = url
        as_of = build(exe, url, args, env) if args.db is None else args.as_of
        as_of = as_of or date(date.today().year - 1, 12, 31).isoformat()
        head = subprocess.run(
            [exe, "verify", "--format", "json"], env=env, check=True, capture_output=True
        )
        events = int(str(json.loads(head.stdout).get("head", "0:")).split(":")[0] or 0)
        capital = subprocess.run(
            [exe, "capital", "--as-of", as_of, "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
        )
        partners = json.loads(capital.stdout)["partners"]
        person = max(partners, key=lambda p: p["shares"])["person"] if partners else "nobody"
        results.update(events=events, as_of=as_of)
        print(f"{events:,} events; pages as of {as_of}")
        port = free_port()
        server = serve(exe, env, port)
        try:
            chosen = tuple(args.pages.split(",")) if args.pages else PAGES
            pages = measure(f"http://127.0.0.1:{port}", as_of, person, args.runs, chosen)
        finally:
            server.terminate()
            server.wait(timeout=30)
    results["pages"] = pages
    slow = {p: v["server_ms"] for p, v in pages.items() if v["server_ms"] > BUDGET_MS}
    results["over_budget"] = slow
    target = args.out / f"web-{results['backend']}-{events}.json"
    target.write_text(json.dumps(results, indent=2))
    print("| page | server (ms) | client (ms) | size (KB) |\n|---|---:|---:|---:|")
    for page, v in pages.items():
        print(f"| `{page}` | {v['server_ms']} | {v['client_ms']} | {v['kb']} |")
    print(f"over {BUDGET_MS:.0f} ms: {slow or 'none'}; results in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
