#!/usr/bin/env bash
# End-to-end: the VS Code extension (editors/vscode) in real VS Code: code-server 4.100.3
# (VS Code 1.100.3) in headless Debian Chromium, driven by playwright-core. Exit 0 = pass.
# Installs code-server and playwright-core under target/e2e-cache, Chromium and build
# headers with apt. Writes screenshots to target/e2e/vscode-*.png (hover, explain, language
# status, Models view, notebook, code actions, exception).
E2E_NAME=vscode
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$REPO/tests/e2e/vscode
CS_VERSION=4.100.3         # the newest code-server that runs on Node 20
PW_VERSION=1.65.1
RG_PKG_VERSION=1.15.11     # @vscode/ripgrep in code-server 4.100.3
RG_TAG=v13.0.0-10          # the ripgrep release its postinstall downloads

BIN=$(fineprint_bin)
apt_need chromium libkrb5-dev ripgrep g++ make python3
command -v npm >/dev/null || die "npm is needed (Node 20)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || log "warning: code-server $CS_VERSION wants Node 20, this is Node $(node --version)"
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
[ -x "$CHROMIUM" ] || die "no chromium"

# --- code-server (cached). Four workarounds, see /work/shared/research/e2e-feasibility.md §2.1:
# unsafe-perm as root, libkrb5-dev for kerberos, ripgrep from Debian instead of api.github.com,
# npm_config_yes for node-pty's npx node-gyp.
CS_DIR=$E2E_CACHE/code-server-$CS_VERSION
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "installing code-server $CS_VERSION into $CS_DIR (about a minute)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
  tar czf "$CS_DIR/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" \
    -C "$(dirname "$(command -v rg)")" rg
  echo '{"private":true}' > "$CS_DIR/package.json"
  nodedir=(); [ -f /usr/include/node/node.h ] && nodedir=(npm_config_nodedir=/usr)
  (cd "$CS_DIR" && env "${nodedir[@]}" TMPDIR="$CS_DIR/tmp" npm_config_yes=true npm_config_unsafe_perm=true \
     npm_config_fund=false npm_config_audit=false \
     timeout 900 npm install --no-save "code-server@$CS_VERSION" >&2) || { rm -rf "$CS_DIR"; die "code-server install failed"; }
fi
PW_DIR=$E2E_CACHE/playwright-core-$PW_VERSION
if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  log "installing playwright-core $PW_VERSION"
  mkdir -p "$PW_DIR" && echo '{"private":true}' > "$PW_DIR/package.json"
  (cd "$PW_DIR" && timeout 300 npm install --no-save --no-audit --no-fund "playwright-core@$PW_VERSION" >&2)
fi

# --- the extension: the platform VSIX (binary bundled: the lookup finds bundled/fineprint),
# and the plain VSIX (no binary: with fineprint nowhere, it must say so and offer the setting)
log "packaging the extension"
VSIX=$(OUT_DIR=$E2E_OUT FINEPRINT_BIN=$BIN timeout 600 "$REPO/editors/vscode/scripts/package.sh") || die "packaging failed"
PLAIN=$(OUT_DIR=$E2E_OUT timeout 600 "$REPO/editors/vscode/scripts/package.sh" --plain) || die "packaging (plain) failed"
log "$(basename "$VSIX") $(du -k "$VSIX" | cut -f1) KB, $(basename "$PLAIN") $(du -k "$PLAIN" | cut -f1) KB"

WS=$(fresh_workspace)
TMP=$(dirname "$WS")
# A notebook, for the notebook editor's cells (VS Code only: the other editors read it as JSON).
cp "$FIXTURES/notebook/explore.ipynb" "$WS/"

CS_PID=
stop_cs() {
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
    CS_PID=
  fi
}
trap 'stop_cs; rm -rf "$TMP"' EXIT

# session NAME VSIX: a throwaway profile with VSIX installed, code-server on it, and
# e2e.js in mode NAME. fineprint is not on PATH, and HOME and CARGO_HOME are empty.
session() {
  local name=$1 vsix=$2 dir=$TMP/$1
  local ud=$dir/user-data exts=$dir/extensions
  mkdir -p "$ud/User" "$dir/home"
  cat > "$ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "editor.hover.delay": 200,
  "window.zoomLevel": 0
}
JSON
  local envs=(HOME="$dir/home" CARGO_HOME="$dir/home/.cargo" XDG_CONFIG_HOME="$dir/xdg-config"
              XDG_DATA_HOME="$dir/xdg-data" XDG_CACHE_HOME="$dir/xdg-cache")
  local cs=("$CS_DIR/node_modules/.bin/code-server" --user-data-dir "$ud" --extensions-dir "$exts")
  local out
  out=$(env "${envs[@]}" timeout 120 "${cs[@]}" --install-extension "$vsix" 2>&1) || die "install-extension failed: $out"
  grep -q 'successfully installed' <<<"$out" || die "install-extension: $out"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # Its own process group, so that stop_cs ends code-server and everything it started.
  env "${envs[@]}" setsid "${cs[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry \
    --disable-update-check --disable-workspace-trust --disable-getting-started-override "$WS" \
    >"$E2E_OUT/vscode-code-server-$name.log" 2>&1 &
  CS_PID=$!
  local i
  for i in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$CS_PID" 2>/dev/null || die "code-server exited (see $E2E_OUT/vscode-code-server-$name.log)"
    [ "$i" = 300 ] && die "code-server not ready after 30 s"
    sleep 0.1
  done
  log "[$name] $(basename "$vsix") in code-server $CS_VERSION on port $port"
  local rc=0
  NODE_PATH=$PW_DIR/node_modules CHROMIUM=$CHROMIUM E2E_OUT=$E2E_OUT \
    timeout -k 5 240 node "$HERE/e2e.js" "http://127.0.0.1:$port/?folder=$WS" "$name" || rc=$?
  stop_cs
  if [ $rc -ne 0 ]; then
    grep -rh 'fineprint' "$ud/logs" 2>/dev/null | tail -n 20 >&2 || true
    die "[$name] the UI checks failed (exit $rc); screenshots in $E2E_OUT"
  fi
}

[[ " ${E2E_SESSIONS:-main missing} " == *" main "* ]] && session main "$VSIX"
[[ " ${E2E_SESSIONS:-main missing} " == *" missing "* ]] && session missing "$PLAIN"
log "PASS"
