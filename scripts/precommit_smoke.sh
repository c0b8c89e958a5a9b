#!/usr/bin/env bash
# Runs the `fineprint` pre-commit hook (.pre-commit-hooks.yaml, language: python) the way a
# user's pre-commit does: `pre-commit try-repo` on this repository, which pip-installs it
# (pyproject.toml: maturin builds the binary with cargo) into pre-commit's own
# environment, then runs the hook on two throwaway projects: one using a non-commercial
# model (the hook must fail) and one using an Apache-2.0 model (it must pass).
#
#   bash scripts/precommit_smoke.sh
#
# Heavy the first time (pre-commit builds fineprint in release mode: minutes on two
# cores; CARGO_TARGET_DIR, when set, lets maturin reuse an earlier release build), so it
# is not part of CI's tests; CI runs the fineprint-system hook (tests/validators/run.sh).
# Closing line: "N passed, M failed". Needs python3, git, cargo, and PyPI.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/target/precommit
mkdir -p "$WORK"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }

if [ ! -x "$WORK/venv/bin/pre-commit" ]; then
  if ! { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install --quiet pre-commit; }; then
    echo "could not install pre-commit from PyPI" >&2
    exit 2
  fi
fi
echo "pre-commit $("$WORK/venv/bin/pre-commit" --version | awk '{print $2}')"
gitq() { git -c user.email=ci@localhost -c user.name=ci -c init.defaultBranch=main "$@" > /dev/null 2>&1; }

# $1: file contents, $2: expected exit code, $3: description
try_hook() {
  local project=$WORK/project code start
  rm -rf "$project" && mkdir -p "$project"
  (cd "$project" && gitq init && printf '%s\n' "$1" > app.py && gitq add app.py) || { fail "$3: git"; return; }
  start=$(date +%s)
  # try-repo takes the repository's working tree (uncommitted changes too) at a temporary rev.
  (cd "$project" && PRE_COMMIT_HOME="$WORK/home" nice "$WORK/venv/bin/pre-commit" try-repo "$ROOT" fineprint \
    --all-files > "$WORK/hook-$2.log" 2>&1)
  code=$?
  if [ "$code" -eq "$2" ]; then
    ok "the fineprint hook $3 ($(($(date +%s) - start)) s)"
  else
    fail "the fineprint hook $3: exit $code, expected $2 (log: target/precommit/hook-$2.log)"
    tail -15 "$WORK/hook-$2.log"
  fi
}
try_hook 'pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")' 1 "fails on FLUX.1-dev (non-commercial)"
try_hook 'm = AutoModel.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3")' 0 "passes on Mistral-7B (Apache-2.0)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
