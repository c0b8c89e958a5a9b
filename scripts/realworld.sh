#!/usr/bin/env bash
# Score a fineprint binary on the real-world development corpus (tests/realworld/).
#
# usage: scripts/realworld.sh [BINARY] [CORPUS_DIR] [extra options of realworld_score.py: --json, --list, ...]
#   BINARY      default target/release/fineprint
#   CORPUS_DIR  default /work/corpus (extract it with scripts/realworld_extract.sh)
# Always exits 0; trees that are missing are named with how to extract them.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$here/target/release/fineprint}"
corpus="${2:-${CORPUS_DIR:-/work/corpus}}"
shift $(( $# > 2 ? 2 : $# ))
if [ ! -x "$binary" ]; then
  echo "no fineprint binary at $binary (build it, or pass its path as the first argument)" >&2
  exit 0
fi
exec python3 "$here/scripts/realworld_score.py" --binary "$binary" --corpus "$corpus" "$@"
