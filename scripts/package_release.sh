#!/usr/bin/env bash
# Packs one release binary the way the GitHub Action (scripts/github_action.sh install)
# and `cargo binstall` ([package.metadata.binstall] in server/Cargo.toml) expect it:
#
#   OUT_DIR/fineprint-TARGET.tar.gz   (.zip for Windows targets), holding
#       fineprint-TARGET/fineprint[.exe], README.md, LICENSE-APACHE, LICENSE-MIT, NOTICE
#   OUT_DIR/fineprint-TARGET.tar.gz.sha256   "<sha256>  fineprint-TARGET.tar.gz"
#
# Usage: scripts/package_release.sh TARGET BINARY OUT_DIR
# Env: FINEPRINT_GZIP_LEVEL (default 9; the tests use 1).
# Used by .github/workflows/release.yml, scripts/cross_build.sh and server/tests/github_action.rs.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 TARGET BINARY OUT_DIR" >&2; exit 2; }
target=$1 bin=$2 out=$3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "$bin" ] || { echo "$0: no binary at $bin" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
name=fineprint-$target
exe=fineprint
case "$target" in *windows*) exe=fineprint.exe ;; esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name"
cp "$bin" "$stage/$name/$exe"
chmod +x "$stage/$name/$exe"
cp "$ROOT/README.md" "$ROOT/LICENSE-APACHE" "$ROOT/LICENSE-MIT" "$ROOT/NOTICE" "$stage/$name/"
case "$target" in
  *windows*)
    archive=$name.zip
    rm -f "$out/$archive"
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -qr "$out/$archive" "$name")
    else
      (cd "$stage" && 7z a -tzip -bd "$out/$archive" "$name" >/dev/null)
    fi
    ;;
  *)
    archive=$name.tar.gz
    tar -cf - -C "$stage" "$name" | gzip "-${FINEPRINT_GZIP_LEVEL:-9}" > "$out/$archive"
    ;;
esac
if command -v sha256sum >/dev/null 2>&1; then
  sum=$(cd "$out" && sha256sum "$archive")
else
  sum=$(cd "$out" && shasum -a 256 "$archive")
fi
echo "${sum%% *}  $archive" > "$out/$archive.sha256"
echo "$out/$archive"
