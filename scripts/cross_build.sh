#!/usr/bin/env bash
# Builds the release binaries of every target here, with cargo-zigbuild (zig as the C
# compiler and linker, both from PyPI), packs each with scripts/package_release.sh, and
# runs the linux ones (aarch64 under qemu-user when qemu-aarch64-static is there) on
# examples/, comparing their JSON report with tests/golden/examples.json.
#
#   bash scripts/cross_build.sh [TARGET...]
#
# Default targets: x86_64-unknown-linux-musl aarch64-unknown-linux-musl
#   x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu
# (The release workflow builds Windows with MSVC on a Windows runner; here zig links
# the GNU ABI, which proves the code builds for Windows.)
#
# Heavy: one release build per target (about 7 minutes each on two cores); it runs under
# `nice`. Not part of CI's tests. Output: target/cross/dist/, and a closing line
# "N passed, M failed" (a target passes when it builds and packs; a linux target also
# when its binary runs `--version`, and `check examples/` exits 1 with the golden report).
# Needs: python3 (venv, pip), rustup (it adds the targets), tar, gzip, zip.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl
  x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu)
WORK=$ROOT/target/cross
DIST=$WORK/dist
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$WORK" "$DIST"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }

if [ ! -x "$WORK/venv/bin/cargo-zigbuild" ]; then
  if ! { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install --quiet ziglang cargo-zigbuild; }; then
    echo "could not install ziglang and cargo-zigbuild from PyPI" >&2
    exit 2
  fi
fi
export PATH=$WORK/venv/bin:$PATH
echo "$(cargo-zigbuild --version), zig $("$WORK/venv/bin/python" -m ziglang version)"

# Release binaries are stripped (no debug information); everything else as in Cargo.toml.
export CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_DEBUG=false

for t in "${TARGETS[@]}"; do
  echo "== $t"
  if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$t"; then
    rustup target add "$t" || { fail "$t: rustup target add"; continue; }
  fi
  start=$(date +%s)
  if ! nice cargo zigbuild --release --locked -p fineprint --target "$t" > "$WORK/$t.log" 2>&1; then
    fail "$t: build (log: target/cross/$t.log)"
    tail -5 "$WORK/$t.log"
    continue
  fi
  exe=fineprint
  case "$t" in *windows*) exe=fineprint.exe ;; esac
  bin=$CARGO_TARGET_DIR/$t/release/$exe
  archive=$(bash scripts/package_release.sh "$t" "$bin" "$DIST") || { fail "$t: package"; continue; }
  ok "$t built in $(($(date +%s) - start)) s: $(file -b "$bin" | cut -d, -f1-2), $(du -h "$bin" | cut -f1) binary, $(du -h "$archive" | cut -f1) $(basename "$archive")"
  case "$t" in
    x86_64-unknown-linux-*) run=() ;;
    aarch64-unknown-linux-*)
      if command -v qemu-aarch64-static >/dev/null 2>&1; then run=(qemu-aarch64-static); else
        echo "skip running $t: qemu-aarch64-static not found (apt-get install qemu-user-static)"
        continue
      fi ;;
    *) continue ;;
  esac
  if version=$("${run[@]}" "$bin" --version 2>&1); then
    ok "$t runs: ${version%%$'\n'*}"
  else
    fail "$t does not run: $version"
    continue
  fi
  # The same report as the golden file the tests compare the native build with.
  FINEPRINT_NO_EVIDENCE=1 NO_COLOR=1 FINEPRINT_TODAY=2026-11-23 \
    "${run[@]}" "$bin" check examples/ --format json > "$WORK/$t.examples.json" 2>&1
  code=$?
  if [ "$code" -eq 1 ] && cmp -s "$WORK/$t.examples.json" tests/golden/examples.json; then
    ok "$t: check examples/ exits 1 and its JSON report equals tests/golden/examples.json"
  else
    fail "$t: check examples/ exited $code (expected 1), report in target/cross/$t.examples.json"
  fi
done
(cd "$DIST" && ls -l) || true
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
