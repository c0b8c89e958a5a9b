#!/usr/bin/env bash
# Soak test of the language server: 50 documents, 20,000 edits in bursts with hovers in
# between, bounded in time (stops by itself). Prints resident memory over time, latency
# percentiles per phase, and whether every document's final diagnostics equal a fresh
# scan of its final text. Figures are recorded in docs/testing.md.
#
#   bash scripts/soak.sh [SECONDS] [EDITS] [ROUNDS]   (defaults: 240 s, 20000 edits, 1)
#
# ROUNDS > 1 replays the same run in the same server (documents closed in between):
# memory that grows again in later rounds is held per edit (a leak).
set -euo pipefail
cd "$(dirname "$0")/.."
export SOAK_SECONDS=${1:-240}
export SOAK_EDITS=${2:-20000}
export SOAK_ROUNDS=${3:-1}
if ! grep -q 'name = "soak"' server/Cargo.toml; then
  echo "server/Cargo.toml has no [[bench]] name = \"soak\" (harness = false) entry" >&2
  exit 2
fi
cargo build --release -q -p fineprint --bin fineprint
export FINEPRINT_BIN="$PWD/target/release/fineprint"
# `timeout` bounds the run even if the server stops answering (the soak itself waits
# at most 60 s for any one answer).
timeout $(((SOAK_SECONDS + 300) * SOAK_ROUNDS)) cargo bench -q -p fineprint --bench soak
