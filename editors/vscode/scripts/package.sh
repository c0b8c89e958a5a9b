#!/usr/bin/env bash
# Builds the VS Code extension.
#   scripts/package.sh            platform VSIX with the release binary in bundled/
#                                  (fineprint-<target>-<version>.vsix, target from this machine)
#   scripts/package.sh --plain    VSIX without a binary (fineprint-<version>.vsix; uses
#                                  fineprint.server.path or PATH)
# Prints the VSIX path on stdout (everything else on stderr).
# Env: FINEPRINT_BIN=<binary> skips the cargo build; VSCE_TARGET=<target> overrides the target;
#      OUT_DIR=<folder> (default: editors/vscode).
set -euo pipefail
exec 3>&1 1>&2   # tools log to stderr; the VSIX path alone goes to stdout
HERE=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$HERE"
plain=false
[ "${1:-}" = "--plain" ] && plain=true
OUT_DIR=${OUT_DIR:-$HERE}
mkdir -p "$OUT_DIR"
VERSION=$(node -p 'require("./package.json").version')

if [ ! -x node_modules/.bin/vsce ] || [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent typecheck
# (vsce runs the production esbuild build: the vscode:prepublish script)

rm -rf bundled
# No bypass flags: package.json has the repository, the license and (under "vsce") the
# options (dependencies: false, as esbuild bundles them; the base URLs of README links).
bash scripts/license.sh --check
VSCE=(node_modules/.bin/vsce package)
if $plain; then
  out=$OUT_DIR/fineprint-$VERSION.vsix
  "${VSCE[@]}" -o "$out"
else
  bin=${FINEPRINT_BIN:-}
  if [ -z "$bin" ]; then
    (cd "$REPO" && cargo build --release -p fineprint)
    bin=$REPO/target/release/fineprint
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=linux-x64 ;;
    Linux-aarch64) target=linux-arm64 ;;
    Linux-armv7l) target=linux-armhf ;;
    Darwin-x86_64) target=darwin-x64 ;;
    Darwin-arm64) target=darwin-arm64 ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=win32-x64 ;;
    *) echo "unknown platform $(uname -s)-$(uname -m); set VSCE_TARGET" >&2; exit 2 ;;
  esac
  if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qi musl; then
    target=alpine-${target#linux-}
  fi
  target=${VSCE_TARGET:-$target}
  mkdir -p bundled
  exe=fineprint; case "$target" in win32-*) exe=fineprint.exe ;; esac
  cp "$bin" "bundled/$exe"
  # Debug info makes up most of the release binary; the VSIX does not need it. (Another
  # platform's binary, VSCE_TARGET set, comes stripped from the release build.)
  if [ -z "${VSCE_TARGET:-}" ] && command -v strip >/dev/null 2>&1 && [ "$(uname -s)" = Linux ]; then
    strip "bundled/$exe" || echo "warning: could not strip bundled/$exe" >&2
  fi
  chmod +x "bundled/$exe"
  out=$OUT_DIR/fineprint-$target-$VERSION.vsix
  "${VSCE[@]}" --target "$target" -o "$out"
  rm -rf bundled
fi
echo "$out" >&3
