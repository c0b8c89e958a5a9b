#!/usr/bin/env bash
# Validates fineprint's SARIF and CycloneDX outputs with the reference validators:
#   * Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool), `validate` with the
#     SARIF rules and GitHub's ingestion rules: no error and no warning allowed;
#   * the CycloneDX 1.6 JSON schema in strict mode (PyPI cyclonedx-python-lib,
#     JsonStrictValidator);
#   * SPDX 3.0.1 (tests/validators/spdx3_check.py): SPDX's Python bindings for 3.0.1
#     (PyPI spdx-python-model, generated from the 3.0.1 SHACL model) read the document
#     and write it back (types, properties, vocabularies, counts, references), plus the
#     AI profile's conformance clause. SPDX's spdx3-validate fetches the JSON schema and
#     the SHACL model from spdx.org at run time, and no registry package ships them, so
#     it cannot run offline (docs/output.md);
# on the example project and on tests/fixtures/eu-enterprise/. Each validator is also
# shown a broken file, which it must reject (so a validator that passes everything
# cannot hide a problem). It also validates .pre-commit-hooks.yaml with pre-commit and
# runs the hook (`pre-commit try-repo`) on a project that fails and one that passes.
# Last, it packages the VS Code extension (universal and this platform's VSIX, `vsce package`
# without bypass flags) and runs the checks `ovsx publish` makes before it needs a token
# (tests/validators/ovsx_check.js, with ovsx's own code, npm ovsx).
#
# The validators are installed once under target/validators/ (npm and a Python venv)
# and reused; delete that folder to reinstall. Needs node/npm and python3 on the
# machine, and the npm registry and PyPI the first time.
#
# Prints one line per check and ends with `N passed, M failed`; exits 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
V="$ROOT/target/validators"
OUT="$V/out"
SARIF_MULTITOOL_VERSION=5.7.0
CYCLONEDX_LIB_VERSION=11.12.0
PRE_COMMIT_VERSION=4.0.1
SPDX_MODEL_VERSION=0.0.6
OVSX_VERSION=1.3.0
export FINEPRINT_TODAY=2026-11-23 SOURCE_DATE_EPOCH=1795392000 NO_COLOR=1
mkdir -p "$V" "$OUT"

die() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# --- install (cached) --------------------------------------------------------------
case "$(uname -s)" in
  Linux) platform=linux ;;
  Darwin) platform=darwin ;;
  *) platform=win32 ;;
esac
MULTITOOL="$V/npm/node_modules/@microsoft/sarif-multitool-$platform/Sarif.Multitool"
if [ ! -x "$MULTITOOL" ] || [ "$(cat "$V/npm/.version" 2>/dev/null)" != "$SARIF_MULTITOOL_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js to run the SARIF validator"
  echo "installing @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION into $V/npm"
  npm install --prefix "$V/npm" --no-audit --no-fund --loglevel=error \
    "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >"$V/npm-install.log" 2>&1 ||
    die "npm install failed (see $V/npm-install.log)"
  [ -x "$MULTITOOL" ] || die "the Multitool binary for $platform is missing after install"
  echo "$SARIF_MULTITOOL_VERSION" >"$V/npm/.version"
fi
OVSX="$V/ovsx/node_modules/ovsx/lib/zip.js"
if [ ! -f "$OVSX" ] || [ "$(cat "$V/ovsx/.version" 2>/dev/null)" != "$OVSX_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js to run the ovsx checks"
  echo "installing ovsx@$OVSX_VERSION into $V/ovsx"
  npm install --prefix "$V/ovsx" --no-audit --no-fund --loglevel=error \
    "ovsx@$OVSX_VERSION" >"$V/ovsx-install.log" 2>&1 ||
    die "npm install failed (see $V/ovsx-install.log)"
  echo "$OVSX_VERSION" >"$V/ovsx/.version"
fi
PY="$V/venv/bin/python"
PY_PINS="cyclonedx-python-lib[json-validation]==$CYCLONEDX_LIB_VERSION pre-commit==$PRE_COMMIT_VERSION spdx-python-model==$SPDX_MODEL_VERSION"
if [ ! -x "$PY" ] || [ "$(cat "$V/venv/.version" 2>/dev/null)" != "$PY_PINS" ]; then
  command -v python3 >/dev/null 2>&1 || die "python3 not found: needed for the CycloneDX validator"
  echo "installing $PY_PINS into $V/venv"
  # shellcheck disable=SC2086 # the pins are words
  { python3 -m venv "$V/venv" &&
    "$V/venv/bin/pip" install --quiet --disable-pip-version-check $PY_PINS; } >"$V/pip-install.log" 2>&1 ||
    die "pip install failed (see $V/pip-install.log)"
  echo "$PY_PINS" >"$V/venv/.version"
fi

# --- build -------------------------------------------------------------------------
cargo build --quiet -p fineprint || die "cargo build failed"
FINEPRINT="${CARGO_TARGET_DIR:-$ROOT/target}/debug/fineprint"

passed=0
failed=0
ok() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1"
  [ -n "${2:-}" ] && echo "$2" | sed 's/^/     /'
  failed=$((failed + 1))
}

# Runs the Multitool on a SARIF file; prints its errors and warnings (none = valid).
sarif_problems() {
  local log="$OUT/$(basename "$1").validation.sarif"
  "$MULTITOOL" validate "$1" --rule-kind "Sarif;Gh" --level "Error;Warning" \
    --output "$log" --log ForceOverwrite >"$log.txt" 2>&1
  local code=$?
  if [ ! -s "$log" ]; then
    echo "the Multitool wrote no log (exit $code): $(tail -5 "$log.txt")"
    return
  fi
  "$PY" - "$log" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
for run in log.get("runs", []):
    for r in run.get("results", []):
        level = r.get("level", "warning")
        if level in ("error", "warning"):
            args = r.get("message", {}).get("arguments", [])
            print(f"{level} {r.get('ruleId')}: {' | '.join(str(a) for a in args)[:300]}")
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", []):
            if n.get("level", "warning") in ("error", "warning"):
                print(f"{n.get('level', 'warning')} (tool): {n.get('message', {}).get('text', '')[:300]}")
EOF
}

# Validates a CycloneDX JSON file against the 1.6 schema in strict mode; prints the
# first lines of the error (nothing = valid).
bom_problems() {
  "$PY" - "$1" <<'EOF'
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1], encoding="utf-8").read())
if err is not None:
    print("\n".join(str(err).splitlines()[:3]))
EOF
}

# Validates an SPDX 3.0.1 JSON-LD file; prints its problems (nothing = valid).
spdx_problems() {
  "$PY" "$ROOT/tests/validators/spdx3_check.py" "$1" 2>&1
}

for fixture in examples tests/fixtures/eu-enterprise tests/fixtures/weight-files; do
  name=$(basename "$fixture")
  for format in sarif cyclonedx spdx; do
    file="$OUT/$name.$format.json"
    "$FINEPRINT" check "$fixture" --format "$format" >"$file" 2>"$file.stderr"
    code=$?
    if [ "$code" -gt 1 ]; then
      fail "$fixture: fineprint check --format $format exited $code" "$(cat "$file.stderr")"
      continue
    fi
    if [ "$format" = sarif ]; then
      problems=$(sarif_problems "$file")
      what="SARIF Multitool validate (SARIF + GitHub rules)"
    elif [ "$format" = spdx ]; then
      problems=$(spdx_problems "$file")
      what="SPDX 3.0.1 (spdx-python-model) and the AI profile"
    else
      problems=$(bom_problems "$file")
      what="CycloneDX 1.6 strict schema"
    fi
    if [ -z "$problems" ]; then
      ok "$fixture: $format passes $what"
    else
      fail "$fixture: $format fails $what" "$problems"
    fi
  done
done

# The validators must reject broken files.
"$PY" - "$OUT/eu-enterprise.sarif.json" "$OUT/broken.sarif.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
run = log["runs"][0]
del run["results"][0]["locations"]
run["tool"]["driver"]["rules"][0]["helpUri"] = "docs/codes.md"
json.dump(log, open(sys.argv[2], "w"))
EOF
if [ -n "$(sarif_problems "$OUT/broken.sarif.json")" ]; then
  ok "the SARIF validator rejects a result without locations and a relative helpUri"
else
  fail "the SARIF validator accepted a broken SARIF file"
fi
"$PY" - "$OUT/eu-enterprise.cyclonedx.json" "$OUT/broken.cyclonedx.json" <<'EOF'
import json, sys
bom = json.load(open(sys.argv[1]))
for c in bom["components"]:
    for l in c.get("licenses", []):
        l["license"].pop("name", None)
        l["license"]["id"] = "Llama-3.1-Community"
json.dump(bom, open(sys.argv[2], "w"))
EOF
if [ -n "$(bom_problems "$OUT/broken.cyclonedx.json")" ]; then
  ok "the CycloneDX validator rejects a license id that is not on the SPDX list"
else
  fail "the CycloneDX validator accepted a broken BOM"
fi

"$PY" - "$OUT/eu-enterprise.spdx.json" "$OUT/broken.spdx.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
graph = doc["@graph"]
# A custom license without its text, and AI packages without their declared license.
next(o for o in graph if o["type"] == "expandedlicensing_CustomLicense").pop("simplelicensing_licenseText")
doc["@graph"] = [o for o in graph if o.get("relationshipType") != "hasDeclaredLicense"]
json.dump(doc, open(sys.argv[2], "w"))
EOF
problems=$(spdx_problems "$OUT/broken.spdx.json")
if echo "$problems" | grep -q "licenseText"; then
  ok "the SPDX validator rejects a custom license without its text"
else
  fail "the SPDX validator accepted a custom license without its text" "$problems"
fi
"$PY" - "$OUT/eu-enterprise.spdx.json" "$OUT/broken2.spdx.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["@graph"] = [o for o in doc["@graph"] if o.get("relationshipType") != "hasDeclaredLicense"]
rel = next(o for o in doc["@graph"] if o["type"] == "Relationship")
rel["relationshipType"] = "usesModel"
json.dump(doc, open(sys.argv[2], "w"))
EOF
problems=$(spdx_problems "$OUT/broken2.spdx.json")
if echo "$problems" | grep -q "usesModel"; then
  ok "the SPDX validator rejects a relationship type that SPDX 3.0.1 does not define"
else
  fail "the SPDX validator accepted an unknown relationship type" "$problems"
fi
"$PY" - "$OUT/eu-enterprise.spdx.json" "$OUT/broken3.spdx.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["@graph"] = [o for o in doc["@graph"] if o.get("relationshipType") != "hasDeclaredLicense"]
json.dump(doc, open(sys.argv[2], "w"))
EOF
problems=$(spdx_problems "$OUT/broken3.spdx.json")
if echo "$problems" | grep -q "0 hasDeclaredLicense"; then
  ok "the SPDX validator rejects an AI package without a declared license (AI profile)"
else
  fail "the SPDX validator accepted an AI package without a declared license" "$problems"
fi

# The pre-commit hooks: a valid manifest, and the fineprint-system hook (the binary on the
# PATH) fails on a non-commercial model and passes on a clean project. The fineprint hook,
# which builds the binary, takes minutes: scripts/precommit_smoke.sh runs it.
if problems=$("$V/venv/bin/pre-commit" validate-manifest .pre-commit-hooks.yaml 2>&1); then
  ok ".pre-commit-hooks.yaml is a valid pre-commit manifest"
else
  fail ".pre-commit-hooks.yaml is not a valid pre-commit manifest" "$problems"
fi
if command -v git >/dev/null 2>&1; then
  HOOK="$OUT/hook-repo"
  rm -rf "$HOOK" "$OUT/hook-project"
  mkdir -p "$HOOK" "$OUT/hook-project"
  cp .pre-commit-hooks.yaml "$HOOK/"
  gitq() { git -c user.email=ci@example.invalid -c user.name=ci -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
  (cd "$HOOK" && gitq init && gitq add . && gitq commit -m hooks)
  try_hook() { # $1: file contents, $2: expected exit code, $3: description
    (
      cd "$OUT/hook-project" && rm -rf .git ./*.py && gitq init &&
        printf '%s\n' "$1" >app.py && gitq add app.py &&
        PATH="$(dirname "$FINEPRINT"):$PATH" PRE_COMMIT_HOME="$V/pre-commit-home" \
          "$V/venv/bin/pre-commit" try-repo "$HOOK" fineprint-system >"$OUT/hook-$2.log" 2>&1
    )
    local code=$?
    if [ "$code" -eq "$2" ]; then
      ok "the pre-commit hook $3"
    else
      fail "the pre-commit hook $3: exit $code, expected $2" "$(tail -5 "$OUT/hook-$2.log")"
    fi
  }
  try_hook 'pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")' 1 "fails on FLUX.1-dev (non-commercial)"
  try_hook 'm = AutoModel.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3")' 0 "passes on Mistral-7B (Apache-2.0)"
else
  fail "git not found: cannot run the pre-commit hook"
fi

# The VS Code extension: packaged without bypass flags, then ovsx's pre-publish checks.
ovsx_problems() {
  CI=true node "$ROOT/tests/validators/ovsx_check.js" "$V/ovsx" "$@" 2>&1
}
rm -f "$OUT"/fineprint-*.vsix
universal=
for kind in universal platform; do
  if [ "$kind" = universal ]; then
    vsix=$(OUT_DIR="$OUT" bash editors/vscode/scripts/package.sh --plain 2>"$OUT/vsix-$kind.log")
    universal=$vsix
  else
    # This machine's platform, with the binary built above (stripped) inside.
    vsix=$(OUT_DIR="$OUT" FINEPRINT_BIN="$FINEPRINT" \
      bash editors/vscode/scripts/package.sh 2>"$OUT/vsix-$kind.log")
  fi
  if [ -z "$vsix" ] || [ ! -f "$vsix" ]; then
    fail "the $kind VSIX was not packaged (vsce package, no bypass flags)" "$(tail -5 "$OUT/vsix-$kind.log")"
    continue
  fi
  if problems=$(ovsx_problems "$vsix"); then
    ok "the $kind VSIX ($(basename "$vsix")) passes ovsx's pre-publish checks"
  else
    fail "the $kind VSIX fails ovsx's pre-publish checks" "$problems"
  fi
done
if [ -n "$universal" ] && [ -f "$universal" ]; then
  "$PY" - "$universal" "$OUT/broken-publisher.vsix" "$OUT/broken-license.vsix" <<'EOF'
import json, sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
for out, drop in ((sys.argv[2], ["publisher"]), (sys.argv[3], ["license"])):
    with zipfile.ZipFile(out, "w") as dst:
        for i in src.infolist():
            data = src.read(i.filename)
            if drop == ["license"] and i.filename.lower().startswith("extension/license"):
                continue
            if i.filename == "extension/package.json":
                manifest = json.loads(data)
                for key in drop:
                    manifest.pop(key, None)
                data = json.dumps(manifest).encode()
            dst.writestr(i.filename, data, compress_type=zipfile.ZIP_DEFLATED)
EOF
  problems=$(ovsx_problems "$OUT/broken-publisher.vsix")
  if echo "$problems" | grep -q "publisher"; then
    ok "the ovsx checks reject a VSIX without a publisher"
  else
    fail "the ovsx checks accepted a VSIX without a publisher"
  fi
  problems=$(ovsx_problems "$OUT/broken-license.vsix")
  if echo "$problems" | grep -q "no license"; then
    ok "the ovsx checks reject a VSIX without a license"
  else
    fail "the ovsx checks accepted a VSIX without a license"
  fi
fi

echo "outputs and validator logs: $OUT"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
