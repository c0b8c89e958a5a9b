#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs and Markdown in single quotes, on purpose
# The steps of the fineprint GitHub Action (action.yml). One subcommand per step:
#
#   install  downloads the release archive for this runner and its .sha256 file,
#            verifies the checksum, unpacks the binary and adds its folder to $GITHUB_PATH
#   check    runs `fineprint check` with the repository's policy (and its baseline, when
#            there is one: only new or changed findings); writes annotations (or, with
#            FINEPRINT_SARIF=true, a SARIF file), the job summary (with the models added,
#            removed and relicensed since the baseline), and the step outputs exit-code,
#            errors, warnings, sarif-file. Never fails by itself unless fineprint could
#            not run at all: the gate decides.
#   gate     exits 1 on findings at error severity (unless FINEPRINT_FAIL_ON_FINDINGS is
#            false), and with fineprint's own code on a usage or policy error (2)
#
# Environment (set by action.yml from its inputs, or by a test):
#   FINEPRINT_VERSION            tag (v0.1.0, or 0.1.0) or `latest`; default: FINEPRINT_ACTION_REF
#                                when it is a version tag, else latest
#   FINEPRINT_ACTION_REPOSITORY  owner/name of the action (github.action_repository); default:
#                                the `repository` of the Cargo.toml beside this script
#   FINEPRINT_RELEASE_BASE       overrides <server>/<owner>/<name>/releases (tests use file://)
#   FINEPRINT_TARGET             overrides the target triple found from RUNNER_OS/RUNNER_ARCH
#   FINEPRINT_BIN                the binary `check` runs (default: fineprint on PATH)
#   FINEPRINT_PATH, FINEPRINT_ARGS, FINEPRINT_SARIF, FINEPRINT_EXIT_CODE, FINEPRINT_FAIL_ON_FINDINGS
#   GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH (GitHub's)
# Tested by server/tests/github_action.rs with a fake GITHUB_* environment.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "::error title=fineprint::$*"
  echo "fineprint action: $*" >&2
  exit 2
}

tmp_dir() {
  local base=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
  mkdir -p "$base/fineprint-action" || exit 2
  echo "$base/fineprint-action"
}

# Sets BASE: the release URL prefix, from the action's repository or the one Cargo.toml
# names. (Functions that may die set variables: a `die` inside $(...) would lose its
# message.)
find_release_base() {
  if [ -n "${FINEPRINT_RELEASE_BASE:-}" ]; then
    BASE=${FINEPRINT_RELEASE_BASE%/}
  elif [ -n "${FINEPRINT_ACTION_REPOSITORY:-}" ]; then
    BASE=${GITHUB_SERVER_URL:-https://github.com}/${FINEPRINT_ACTION_REPOSITORY}/releases
  else
    local repo
    repo=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$HERE/../Cargo.toml" 2>/dev/null | head -1)
    [ -n "$repo" ] || die "cannot tell where fineprint is released: set FINEPRINT_ACTION_REPOSITORY"
    BASE=$repo/releases
  fi
}

# Sets TARGET: the Rust target triple of this runner's release archive.
find_target() {
  if [ -n "${FINEPRINT_TARGET:-}" ]; then
    TARGET=$FINEPRINT_TARGET
    return
  fi
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) TARGET=x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) TARGET=aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) TARGET=x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) TARGET=aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) TARGET=x86_64-pc-windows-msvc ;;
    *) die "no fineprint release for $os/$arch (releases: linux x64/arm64, macOS x64/arm64, Windows x64)" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

cmd_install() {
  local version=${FINEPRINT_VERSION:-}
  if [ -z "$version" ]; then
    case "${FINEPRINT_ACTION_REF:-}" in
      v[0-9]*) version=$FINEPRINT_ACTION_REF ;;
      *) version=latest ;;
    esac
  fi
  case "$version" in
    latest | v*) ;;
    [0-9]*) version=v$version ;;
    *) die "version must be a tag such as v0.1.0, or latest (got '$version')" ;;
  esac
  local target ext archive base url dir
  find_target
  target=$TARGET
  ext=tar.gz
  case "$target" in *windows*) ext=zip ;; esac
  archive=fineprint-$target.$ext
  find_release_base
  base=$BASE
  if [ "$version" = latest ]; then url=$base/latest/download; else url=$base/download/$version; fi
  dir=$(tmp_dir)
  rm -rf "$dir/dl" && mkdir -p "$dir/dl" "$dir/bin"
  echo "fineprint: downloading $url/$archive"
  curl --fail --location --silent --show-error --retry 3 -o "$dir/dl/$archive" "$url/$archive" ||
    die "could not download $url/$archive"
  curl --fail --location --silent --show-error --retry 3 -o "$dir/dl/$archive.sha256" "$url/$archive.sha256" ||
    die "could not download the checksum $url/$archive.sha256"
  local want have
  want=$(tr -d '\r' < "$dir/dl/$archive.sha256" | awk 'NR == 1 { print tolower($1) }')
  have=$(sha256_of "$dir/dl/$archive")
  case "$want" in
    [0-9a-f]*) [ ${#want} -eq 64 ] || die "$archive.sha256 does not hold a sha256" ;;
    *) die "$archive.sha256 does not hold a sha256" ;;
  esac
  [ "$want" = "$have" ] || die "checksum mismatch for $archive: expected $want, got $have"
  echo "fineprint: sha256 $have verified"
  local exe=fineprint
  case "$target" in *windows*) exe=fineprint.exe ;; esac
  if [ "$ext" = zip ]; then
    unzip -q -o "$dir/dl/$archive" -d "$dir/dl/x"
  else
    mkdir -p "$dir/dl/x" && tar -xzf "$dir/dl/$archive" -C "$dir/dl/x"
  fi
  [ -f "$dir/dl/x/fineprint-$target/$exe" ] || die "$archive has no fineprint-$target/$exe"
  mv -f "$dir/dl/x/fineprint-$target/$exe" "$dir/bin/$exe"
  chmod +x "$dir/bin/$exe"
  rm -rf "$dir/dl"
  "$dir/bin/$exe" --version
  [ -n "${GITHUB_PATH:-}" ] && echo "$dir/bin" >> "$GITHUB_PATH"
  return 0
}

output() { [ -n "${GITHUB_OUTPUT:-}" ] && echo "$1=$2" >> "$GITHUB_OUTPUT"; return 0; }
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >> "$GITHUB_STEP_SUMMARY"; else cat > /dev/null; fi; }

# Workflow commands for each finding at error, warning or information severity (hints
# stay out, as in the terminal output). Paths are made relative to the workspace.
ANNOTATIONS_JQ='
def rel: if startswith($ws) then .[($ws | length):] else . end;
def msg: gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
def prop: msg | gsub(":"; "%3A") | gsub(","; "%2C");
def level: if . == "error" then "error" elif . == "warning" then "warning" else "notice" end;
( .references[] as $r | $r.diagnostics[]
  | select(.severity == "error" or .severity == "warning" or .severity == "information")
  | "::\(.severity | level) file=\(($prefix + $r.path) | prop),line=\($r.line),col=\($r.column),endLine=\($r.end_line),endColumn=\($r.end_column),title=\(("fineprint: " + .code) | prop)::\(.message | msg)" ),
( .policy_findings[]?
  | select(.severity == "error" or .severity == "warning" or .severity == "information")
  | "::\(.severity | level) file=\(.path | rel | prop),line=\(.line // 1),title=\(("fineprint: " + .code) | prop)::\(.message | msg)" )
'

# The job summary: counts, the model inventory, and the policy exceptions (baseline).
SUMMARY_JQ='
def rel: if startswith($ws) then .[($ws | length):] else . end;
def cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def rank: if . == "error" then 0 elif . == "warning" then 1 elif . == "information" then 2 else 3 end;
def icon: if . == "error" then "❌" elif . == "warning" then "⚠️" elif . == "information" then "ℹ️" else "" end;
.summary as $s
| [ .references | group_by([(.model // .text | ascii_downcase), (.license // "")])[]
    | { model: (.[0].model // .[0].text), license: (.[0].license_name // .[0].license // "unknown"),
        refs: length, at: "\($prefix)\(.[0].path):\(.[0].line)",
        findings: ([.[].diagnostics[] | select(.severity != "hint")] | unique_by(.code) | sort_by(.severity | rank)),
        excepted: any(.[].diagnostics[]; .code == "excepted") } ] as $models
| [ $models[] | select(.excepted) ] as $excepted
| [ .references[].diagnostics[] | select(.code == "exception-expired") ] as $expired
| [ .policy_findings[]? | select(.code == "exception-unused") ] as $unused
| "## fineprint: model licenses\n",
  "**\($s.errors) error(s)**, \($s.warnings) warning(s) in \($s.references) reference(s) to \($models | length) model(s), \($s.files) file(s) checked; policy: `\(if $policy then $policy | rel else "none (commercial use assumed)" end)`, use = `\(.policy.use // "commercial")`.\n",
  (if ($models | length) == 0 then "No model references found.\n" else
    "| model | license | references | findings |", "|---|---|---|---|",
    ( $models | sort_by((.findings[0].severity // "hint" | rank), (.model | ascii_downcase))[]
      | "| `\(.model | cell)` | \(.license | cell) | \(.refs) (first: `\(.at | cell)`) | \(if (.findings | length) == 0 then (if .excepted then "excepted" else "—" end) else ([.findings[] | "\(.severity | icon) `\(.code)`"] | join(", ")) end) |" ),
    "" end),
  (if ($excepted | length) + ($expired | length) + ($unused | length) > 0 then
    "### Policy exceptions (the baseline)\n",
    "* \($excepted | length) model(s) covered by an exception",
    "* \($expired | length) reference(s) whose exception has expired",
    "* \($unused | length) exception(s) that match nothing any more",
    "" else empty end),
  (if (.skipped | length) > 0 then "\(.skipped | length) file(s) skipped (too large, binary, not UTF-8 or unreadable).\n" else empty end)
'

# The drift since the baseline (`fineprint check --baseline-diff --format json`), for
# the job summary; $baselined and $changed come from the report's summary.baseline.
DRIFT_JQ='
def cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def lic: if length == 0 then "unknown" else join(" + ") end;
"### Since the baseline (`\(.baseline | cell)`)\n",
"\($baselined) finding(s) in the baseline are not repeated above; \($changed) changed since. Models: \(.added | length) added, \(.removed | length) removed, \(.changed | length) whose license changed.\n",
(if (.added | length) + (.removed | length) + (.changed | length) > 0 then
  "| change | model | license |", "|---|---|---|",
  ( .added[] | "| added | `\(.model | cell)` | \(.licenses | lic | cell) |" ),
  ( .removed[] | "| removed | `\(.model | cell)` | \(.licenses | lic | cell) |" ),
  ( .changed[] | "| license changed | `\(.model | cell)` | \(.from | lic | cell) → \(.to | lic | cell) |" ),
  "" else empty end)
'

cmd_check() {
  local bin=${FINEPRINT_BIN:-fineprint} path=${FINEPRINT_PATH:-.} sarif=${FINEPRINT_SARIF:-false}
  command -v "$bin" >/dev/null 2>&1 || die "$bin not found (did the install step run?)"
  command -v jq >/dev/null 2>&1 || die "jq not found (it is on GitHub's runners; install it on a self-hosted one)"
  local -a extra=()
  [ -n "${FINEPRINT_ARGS:-}" ] && read -r -a extra <<< "$FINEPRINT_ARGS"
  local dir code prefix policy ws
  ws=${GITHUB_WORKSPACE:-$PWD}
  ws=${ws%/}/
  dir=$(tmp_dir)
  set +e
  "$bin" check "$path" ${extra[@]+"${extra[@]}"} --format json > "$dir/report.json" 2> "$dir/stderr.txt"
  code=$?
  set -e
  output exit-code "$code"
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    local why
    why=$(head -c 4000 "$dir/stderr.txt")
    echo "::error title=fineprint could not check::${why//$'\n'/%0A}"
    printf '## fineprint: model licenses\n\n`fineprint check` stopped with exit code %s:\n\n```\n%s\n```\n' "$code" "$why" | summary
    return 0
  fi
  cat "$dir/stderr.txt" >&2
  # fineprint prints paths as it reached them from "$path" (relative to the workspace,
  # the working directory here), so they need no prefix.
  prefix=""
  policy=$(jq -r '.policy.file // empty' "$dir/report.json")
  output errors "$(jq -r '.summary.errors' "$dir/report.json")"
  output warnings "$(jq -r '.summary.warnings' "$dir/report.json")"
  jq -r '"fineprint: \(.summary.errors) error(s), \(.summary.warnings) warning(s), \(.summary.references) reference(s) in \(.summary.files) file(s)"' "$dir/report.json"
  if [ "$sarif" = true ]; then
    set +e
    "$bin" check "$path" ${extra[@]+"${extra[@]}"} --format sarif > "$dir/fineprint.sarif" 2> /dev/null
    local scode=$?
    set -e
    [ "$scode" -eq "$code" ] || die "the SARIF run exited $scode, the JSON run $code"
    output sarif-file "$dir/fineprint.sarif"
  else
    jq -r --arg prefix "$prefix" --arg policy "$policy" --arg ws "$ws" \
      '($policy | if . == "" then null else . end) as $policy | '"$ANNOTATIONS_JQ" "$dir/report.json"
  fi
  jq -r --arg prefix "$prefix" --arg policy "$policy" --arg ws "$ws" \
    '($policy | if . == "" then null else . end) as $policy | '"$SUMMARY_JQ" "$dir/report.json" | summary
  # With a baseline: what changed since, in the models used.
  if [ "$(jq -r '.summary.baseline != null' "$dir/report.json")" = true ]; then
    local baselined changed
    baselined=$(jq -r '.summary.baseline.baselined' "$dir/report.json")
    changed=$(jq -r '.summary.baseline.changed' "$dir/report.json")
    if "$bin" check "$path" ${extra[@]+"${extra[@]}"} --baseline-diff --format json > "$dir/drift.json" 2> /dev/null; then
      jq -r --arg baselined "$baselined" --arg changed "$changed" "$DRIFT_JQ" "$dir/drift.json" | summary
    else
      printf '### Since the baseline

%s finding(s) in the baseline are not repeated above; %s changed since. (The model drift could not be computed.)
' "$baselined" "$changed" | summary
    fi
  fi
}

cmd_gate() {
  local code=${FINEPRINT_EXIT_CODE:-}
  case "$code" in
    0) echo "fineprint: no finding at error severity" ;;
    1)
      if [ "${FINEPRINT_FAIL_ON_FINDINGS:-true}" = false ]; then
        echo "fineprint: findings at error severity (fail-on-findings is false)"
      else
        echo "fineprint: findings at error severity; see the annotations or the job summary"
        exit 1
      fi
      ;;
    "") die "the check step did not report an exit code" ;;
    *) echo "fineprint: check exited $code (usage or policy error)"; exit "$code" ;;
  esac
}

case "${1:-}" in
  install) cmd_install ;;
  check) cmd_check ;;
  gate) cmd_gate ;;
  *) echo "usage: $0 install|check|gate" >&2; exit 2 ;;
esac
