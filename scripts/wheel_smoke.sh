#!/usr/bin/env bash
# Builds the PyPI wheel (pyproject.toml: maturin, bindings = "bin") for this machine,
# installs it into a fresh virtual environment, and runs the installed `fineprint` on
# examples/: it must exit 1 with the JSON report of tests/golden/examples.json.
#
#   bash scripts/wheel_smoke.sh          # the wheel
#   bash scripts/wheel_smoke.sh --sdist  # also the source distribution, built into a wheel
#
# Heavy (a release build, about 7 minutes on two cores; twice with --sdist), so not part
# of CI's tests. Output under target/wheel/; closing line "N passed, M failed".
# Needs python3 with venv and pip, and PyPI for maturin.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
WORK=$ROOT/target/wheel
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
rm -rf "$WORK/dist" "$WORK/venv-test"
mkdir -p "$WORK/dist"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }

if [ ! -x "$WORK/venv-build/bin/maturin" ]; then
  if ! { python3 -m venv "$WORK/venv-build" && "$WORK/venv-build/bin/pip" install --quiet maturin; }; then
    echo "could not install maturin from PyPI" >&2
    exit 2
  fi
fi
"$WORK/venv-build/bin/maturin" --version

# Runs the `fineprint` of a virtual environment on examples/ and compares the report.
smoke() { # $1: venv, $2: what was installed
  local bin=$1/bin/fineprint code
  if [ ! -x "$bin" ]; then
    fail "$2: no fineprint in $1/bin"
    return
  fi
  ok "$2 installs fineprint: $("$bin" --version | head -1)"
  FINEPRINT_NO_EVIDENCE=1 NO_COLOR=1 FINEPRINT_TODAY=2026-11-23 \
    "$bin" check examples/ --format json > "$WORK/examples.json" 2>&1
  code=$?
  if [ "$code" -eq 1 ] && cmp -s "$WORK/examples.json" tests/golden/examples.json; then
    ok "$2: fineprint check examples/ exits 1 with the golden report"
  else
    fail "$2: fineprint check examples/ exited $code (expected 1); report in $WORK/examples.json"
  fi
}

start=$(date +%s)
if nice "$WORK/venv-build/bin/maturin" build --release --out "$WORK/dist" > "$WORK/build.log" 2>&1; then
  wheel=$(ls "$WORK"/dist/*.whl)
  ok "wheel built in $(($(date +%s) - start)) s: $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"
  meta=$(unzip -p "$wheel" '*.dist-info/METADATA')
  for field in "Name: fineprint-cli" "License-Expression: MIT OR Apache-2.0" "License-File: NOTICE"; do
    if grep -qx "$field" <<< "$meta"; then ok "METADATA: $field"; else fail "METADATA lacks '$field'"; fi
  done
  python3 -m venv "$WORK/venv-test"
  if "$WORK/venv-test/bin/pip" install --quiet --no-index "$wheel"; then
    smoke "$WORK/venv-test" "pip install $(basename "$wheel")"
  else
    fail "pip install of the wheel"
  fi
else
  fail "maturin build (log: target/wheel/build.log)"
  tail -5 "$WORK/build.log"
fi

if [ "${1:-}" = --sdist ]; then
  rm -rf "$WORK/venv-sdist"
  if "$WORK/venv-build/bin/maturin" sdist --out "$WORK/dist" > "$WORK/sdist.log" 2>&1; then
    sdist=$(ls "$WORK"/dist/*.tar.gz)
    ok "sdist: $(basename "$sdist") ($(du -h "$sdist" | cut -f1))"
    python3 -m venv "$WORK/venv-sdist"
    # pip builds the wheel from the sdist in isolation (maturin from PyPI, cargo here).
    if nice "$WORK/venv-sdist/bin/pip" install --quiet "$sdist" > "$WORK/sdist-install.log" 2>&1; then
      smoke "$WORK/venv-sdist" "pip install $(basename "$sdist")"
    else
      fail "pip install of the sdist (log: target/wheel/sdist-install.log)"
      tail -5 "$WORK/sdist-install.log"
    fi
  else
    fail "maturin sdist (log: target/wheel/sdist.log)"
  fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
