#!/usr/bin/env bash
# Build the sample cooperative into a fresh SQLite file and print point-in-time answers.
set -euo pipefail
out="${1:-demo}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
rm -f "$out/acme.db"
export SCOP_LEDGER_DB="sqlite:///$out/acme.db" SCOP_LEDGER_USER="demo"
sl() { scop-ledger "$@" >/dev/null; }

sl init acme --name "Acme Scop" --legal-form sarl --share-value 25 --date 2014-01-01 --ref "statutes"
# shellcheck source=/dev/null
source "$here/acme-story.sh"

echo "== Sample ledger built in $out/acme.db"
scop-ledger history | tail -n 12
