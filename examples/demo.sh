#!/usr/bin/env bash
# Build the sample cooperative (examples/fabrique.csv) into a fresh SQLite file, correct one entry,
# and print point-in-time answers as of two dates.
set -euo pipefail
out="${1:-demo}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
rm -f "$out/fabrique.db"
export SCOP_LEDGER_DB="sqlite:///$out/fabrique.db" SCOP_LEDGER_USER="demo"
run() { printf '\n$ scop-ledger %s\n' "$*"; scop-ledger "$@"; }

run init fabrique --name "La Fabrique Coopérative" --legal-form sarl --share-value 25 \
  --date 2014-01-06 --ref "statutes 2014-01-06"
run import "$here/fabrique.csv"

# One correction: a subscription typed twice in 2017 is reversed, never edited.
dup=$(scop-ledger history gabriel --format json | python3 -c '
import json, sys
print(next(e["id"] for e in json.load(sys.stdin)["entries"] if e["note"] == "entered twice by mistake"))')
run reverse "$dup" --reason "subscription entered twice" --date 2025-07-01

for day in 2018-12-31 2025-06-30; do
  run capital --as-of "$day"
  run votes --as-of "$day"
  run refunds --as-of "$day"
done
run members --eligible --as-of 2025-06-30
for day in 2018-12-31 2025-06-30; do
  run compliance --as-of "$day"
done
run timeline --as-of 2025-06-30 --rule employee-capital-majority --rule refunds-due
run factsheet --year 2024
run --read-only verify
run --read-only report --as-of 2025-06-30 --out "$out/review-2025.html"

# The same answers in French: --lang fr (or SCOP_LEDGER_LANG=fr) for tables, messages and the pack.
run --lang fr capital --as-of 2025-06-30
run --lang fr --read-only report --as-of 2025-06-30 --out "$out/revision-2025.html"

# A partner's share certificate, and the annual statements of every partner: HTML here, which
# needs nothing but Python (a .pdf needs the Pango library, Debian's libpango-1.0-0).
run --lang fr certificate amelie --as-of 2024-12-31 --out "$out/certificat-amelie-2024.html"
mkdir -p "$out/releves-2024"
run --lang fr statements --year 2024 --out "$out/releves-2024" --as html

echo
echo "To see it in a browser (read-only; Ctrl-C stops it):"
echo "  .venv/bin/scop-ledger --db sqlite:///$out/fabrique.db serve"
echo "and open http://127.0.0.1:8000/"
