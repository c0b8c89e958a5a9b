#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 20) from the seed
# corpora, prints the executions of each, and ends with `N passed, M failed` (a target
# passes when it ran for its time without a crash).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_NO_BUILD=1 bash scripts/fuzz.sh 300    # reuse the binaries of the last build
#
# cargo-fuzz is installed once under target/fuzz-tools (a cache). libFuzzer needs
# nightly features: RUSTC_BOOTSTRAP=1 lets the stable toolchain build it. Corpora grow
# under target/fuzz/corpus/<target>; a crash is saved under target/fuzz/artifacts/<target>/.
#
# All targets are built by one `cargo fuzz build -O` (the dependencies are built once),
# by default without a sanitizer and with 16 codegen units: the engine has no `unsafe`
# code, and this halves the build on two cores (docs/testing.md has the figures).
#   FUZZ_SANITIZER=address       build with AddressSanitizer (cargo-fuzz's default)
#   FUZZ_CODEGEN_UNITS=1         cargo-fuzz's default: slower build, slightly faster runs
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_EACH=${1:-20}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(detect policy rules lsp_edits transport transport_headers gguf front_matter ollama_manifest)
SANITIZER=${FUZZ_SANITIZER:-none}
CODEGEN_UNITS=${FUZZ_CODEGEN_UNITS:-16}
started=$(date +%s)

TOOLS="$ROOT/target/fuzz-tools"
export PATH="$TOOLS/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$ROOT/target/fuzz/build"
mkdir -p "$ROOT/target/fuzz"
# libfuzzer-sys compiles libFuzzer (C++).
if ! command -v c++ >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq g++) >/dev/null 2>&1 || true
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz under $TOOLS"
  t0=$(date +%s)
  cargo install cargo-fuzz --locked --root "$TOOLS" >"$ROOT/target/fuzz-install.log" 2>&1 \
    || { tail -20 "$ROOT/target/fuzz-install.log"; echo "0 passed, ${#TARGETS[@]} failed"; exit 1; }
  echo "(installed in $(($(date +%s) - t0)) s)"
fi

CORPUS="$ROOT/target/fuzz/corpus"
ARTIFACTS="$ROOT/target/fuzz/artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
python3 scripts/fuzz_seeds.py "$ROOT" "$CORPUS"

cd fuzz
echo "== building the fuzz targets (sanitizer: $SANITIZER, codegen units: $CODEGEN_UNITS)"
if [ "${FUZZ_NO_BUILD:-0}" = 1 ]; then
  echo "(FUZZ_NO_BUILD=1: running the binaries already built)"
else
  t0=$(date +%s)
  if ! cargo fuzz build -O -s "$SANITIZER" --codegen-units "$CODEGEN_UNITS" \
    >"$ROOT/target/fuzz/build.log" 2>&1; then
    tail -30 "$ROOT/target/fuzz/build.log"
    echo "0 passed, ${#TARGETS[@]} failed"
    exit 1
  fi
  echo "(built in $(($(date +%s) - t0)) s)"
fi

BIN_DIR="$CARGO_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"
passed=0
failed=0
total=0
for t in "${TARGETS[@]}"; do
  mkdir -p "$CORPUS/$t" "$ARTIFACTS/$t"
  log="$ROOT/target/fuzz/$t.log"
  # The binaries built above are run directly (`cargo fuzz run` would rebuild them
  # whenever the engine changed since). -max_len: texts up to 64 KiB. A GGUF header
  # must be read fast whatever it claims: its target times out after 5 s, not 25. The
  # `gguf` target writes its seeds (from `gguf::write_test_header`) into its corpus.
  timeout=25
  [ "$t" = gguf ] && timeout=5
  FINEPRINT_FUZZ_SEEDS="$CORPUS/$t" "$BIN_DIR/$t" "$CORPUS/$t" \
    -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout="$timeout" -rss_limit_mb=2048 \
    -artifact_prefix="$ARTIFACTS/$t/" -print_final_stats=1 >"$log" 2>&1
  code=$?
  execs=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
  [ -x "$BIN_DIR/$t" ] || code=127
  execs=${execs:-0}
  total=$((total + execs))
  if [ "$code" -eq 0 ]; then
    passed=$((passed + 1))
    echo "$t: ok, $execs executions in ${SECONDS_EACH}s (corpus: $(ls "$CORPUS/$t" | wc -l) inputs)"
  else
    failed=$((failed + 1))
    echo "$t: FAILED (exit $code) after $execs executions; log: $log"
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written|^Base64' "$log" | head -8 | sed 's/^/  /'
  fi
done
echo "total executions: $total; $(($(date +%s) - started)) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
