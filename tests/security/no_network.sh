#!/usr/bin/env bash
# fineprint never uses the network and never runs anything it reads.
#
# Runs `fineprint check` on the example project and `fineprint lsp` through a short
# scripted session (initialize, open, hover, code action, shutdown, exit):
#   1. inside a network namespace with no usable interface (`unshare -n`: only a
#      loopback that is down), where both must still give their full answers;
#   2. under `strace -f -e trace=network`, where no socket() of family AF_INET or
#      AF_INET6 may appear (any socket at all is reported);
#   3. under `strace -f -e trace=execve`, where the only program started is fineprint.
#   4. with online resolution turned on (`check --online`, docs/online.md): inside the
#      namespace without network, a clear `offline` message and the full report, at
#      once; under strace, against a Hub served on 127.0.0.1 by python3, every internet
#      connection goes to that endpoint and nowhere else.
# Ends with `N passed, M failed`. Part 1 needs root, or unprivileged user namespaces
# (`unshare -rn`); parts 2 and 3 need strace (installed with apt-get when missing) and
# the right to trace (ptrace). A part that cannot run on this machine is skipped with
# a `skip` line saying why, and counted neither as passed nor as failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT="$ROOT/target/security"
mkdir -p "$OUT"
passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "$2" | head -20 | sed 's/^/     /'; }
skip() { skipped=$((skipped + $1)); echo "skip $2"; }

if ! command -v strace >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq strace) >/dev/null 2>&1 || true
fi
cargo build -q -p fineprint --bin fineprint || { echo "0 passed, 1 failed"; exit 1; }
BIN="$ROOT/target/debug/fineprint"

# The scripted LSP session, as Content-Length frames (ASCII bodies: length = bytes).
frame() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }
WS="$OUT/ws"
rm -rf "$WS" && mkdir -p "$WS"
cp -r examples/. "$WS/"
URI="file://$WS/serve.py"
TEXT='from transformers import AutoModel\nm = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n'
frame '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":"file://'"$WS"'","capabilities":{}}}' >"$OUT/session.init"
{
  frame '{"jsonrpc":"2.0","method":"initialized","params":{}}'
  frame '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"'"$URI"'","languageId":"python","version":1,"text":"'"$TEXT"'"}}}'
  frame '{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"'"$URI"'"},"position":{"line":1,"character":35}}}'
  frame '{"jsonrpc":"2.0","id":3,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"'"$URI"'"},"range":{"start":{"line":1,"character":35},"end":{"line":1,"character":35}},"context":{"diagnostics":[]}}}'
  frame '{"jsonrpc":"2.0","id":4,"method":"workspace/executeCommand","params":{"command":"fineprint.scanWorkspace","arguments":[]}}'
} > "$OUT/session.in"
frame '{"jsonrpc":"2.0","id":5,"method":"shutdown","params":null}' >"$OUT/session.shutdown"
frame '{"jsonrpc":"2.0","method":"exit","params":null}' >"$OUT/session.exit"

# Runs the session with a prefix command: the requests, a pause for their answers
# (as an editor would wait), then shutdown and exit.
lsp_session() {
  local out=$1
  shift
  ( cat "$OUT/session.init"; sleep 2; cat "$OUT/session.in"; sleep 4; cat "$OUT/session.shutdown"; sleep 1; cat "$OUT/session.exit"; sleep 1 ) \
    | timeout 60 "$@" "$BIN" lsp --log-level warn >"$out" 2>"$out.err"
}

# 1. No network at all. `unshare -n` as root; `unshare -rn` (a user namespace mapped to
# root) for another user where the kernel allows it.
NETNS=()
if unshare -n true 2>/dev/null; then
  NETNS=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  NETNS=(unshare -rn)
fi
if [ ${#NETNS[@]} -gt 0 ]; then
  # /proc/net belongs to the namespace (unlike /sys/class/net, and `ip` may be
  # missing): its only interface must be the loopback, with no IPv4 route and no IPv6
  # route but the kernel's reject (unreachable) entries.
  ifaces=$("${NETNS[@]}" cat /proc/net/dev | sed -n '3,$s/:.*//p' | tr -d ' ' | paste -sd, -)
  routes=$("${NETNS[@]}" sh -c 'tail -n +2 /proc/net/route; cat /proc/net/ipv6_route 2>/dev/null' \
    | while read -r _ _ _ _ _ _ _ _ flags _; do
        # The 9th field of ipv6_route is the flags (RTF_REJECT = 0x200); that of
        # /proc/net/route is the MTU (decimal), so every IPv4 route counts.
        if [[ "$flags" =~ ^[0-9a-fA-F]{8}$ ]] && (( 0x$flags & 0x200 )); then continue; fi
        echo route
      done | grep -c . || true)
  if [ "$ifaces" = lo ] && [ "$routes" -eq 0 ]; then
    ok "the namespace (${NETNS[*]}) has only the loopback and no route"
  else
    ko "the namespace has interfaces '$ifaces' and $routes route(s)"
  fi
  "${NETNS[@]}" "$BIN" check "$WS" >"$OUT/check-netns.out" 2>&1
  code=$?
  if [ "$code" -eq 1 ] && grep -q "model reference(s)" "$OUT/check-netns.out"; then
    ok "check without network: full report, exit 1 (the examples have an error on purpose)"
  else
    ko "check without network (exit $code)" "$(tail -5 "$OUT/check-netns.out")"
  fi
  lsp_session "$OUT/lsp-netns.out" "${NETNS[@]}"
  code=$?
  if [ "$code" -eq 0 ] && grep -q '"id":2' "$OUT/lsp-netns.out" && grep -q 'Llama' "$OUT/lsp-netns.out" \
     && grep -q '"id":5' "$OUT/lsp-netns.out" && grep -q 'publishDiagnostics' "$OUT/lsp-netns.out"; then
    ok "lsp without network: diagnostics, hover card, shutdown, exit 0"
  else
    ko "lsp without network (exit $code)" "$(head -c 600 "$OUT/lsp-netns.out"; cat "$OUT/lsp-netns.out.err")"
  fi
else
  skip 3 "no network namespace: neither \`unshare -n\` (needs root) nor \`unshare -rn\` (needs unprivileged user namespaces) is permitted here; the 3 checks without network did not run"
fi

# 2. No IPv4/IPv6 socket, with the network available.
check_sockets() {
  local what=$1 trace=$2
  local inet
  inet=$(grep -E 'socket\((AF_INET|AF_INET6|PF_INET|PF_INET6)' "$trace" || true)
  local any
  any=$(grep -cE '(socket|connect|sendto|bind)\(' "$trace" || true)
  if [ -z "$inet" ]; then
    ok "$what: no AF_INET/AF_INET6 socket ($any network call(s) of any family)"
  else
    ko "$what: created an internet socket" "$inet"
  fi
}
if ! command -v strace >/dev/null 2>&1; then
  skip 4 "strace is not installed and could not be installed (apt-get needs root); the 4 strace checks did not run"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
  skip 4 "strace cannot trace here (ptrace is not permitted: a container's seccomp profile, or kernel.yama.ptrace_scope); the 4 strace checks did not run"
else
  strace -f -qq -e trace=network -o "$OUT/check.strace" "$BIN" check "$WS" >/dev/null 2>&1
  check_sockets "check under strace" "$OUT/check.strace"
  lsp_session "$OUT/lsp-strace.out" strace -f -qq -e trace=network -o "$OUT/lsp.strace"
  if grep -q 'Llama' "$OUT/lsp-strace.out"; then
    check_sockets "lsp session under strace" "$OUT/lsp.strace"
  else
    ko "lsp session under strace gave no hover" "$(head -c 400 "$OUT/lsp-strace.out")"
  fi
  # 3. Nothing is executed: the only execve is fineprint itself.
  strace -f -qq -e trace=execve -o "$OUT/check.exec" "$BIN" check "$WS" >/dev/null 2>&1
  lsp_session "$OUT/lsp-exec.out" strace -f -qq -e trace=execve -o "$OUT/lsp.exec"
  for f in check lsp; do
    n=$(grep -c 'execve(' "$OUT/$f.exec" || true)
    if [ "$n" -eq 1 ] && grep -q "execve(\"$BIN\"" "$OUT/$f.exec"; then
      ok "$f executes nothing (one execve: fineprint itself)"
    else
      ko "$f started other programs" "$(grep 'execve(' "$OUT/$f.exec")"
    fi
  done
fi

# 4. Online resolution, opt-in: only the configured endpoint, and a clear error offline.
ONLINE="$OUT/online"
rm -rf "$ONLINE" && mkdir -p "$ONLINE/proj" "$ONLINE/hub/api/models/acme"
printf 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/widget-7b")\n' >"$ONLINE/proj/app.py"
printf '{"id":"acme/widget-7b","sha":"0123456789abcdef","gated":false,"cardData":{"license":"apache-2.0"}}' \
  >"$ONLINE/hub/api/models/acme/widget-7b"
if [ ${#NETNS[@]} -gt 0 ]; then
  start=$(date +%s)
  FINEPRINT_CACHE_DIR="$ONLINE/cache-netns" HF_ENDPOINT= "${NETNS[@]}" timeout 120 "$BIN" check --online "$ONLINE/proj" \
    >"$OUT/online-netns.out" 2>&1
  code=$?
  took=$(( $(date +%s) - start ))
  if [ "$code" -eq 0 ] && grep -q "warning: online: offline" "$OUT/online-netns.out" \
     && grep -q "model reference(s)" "$OUT/online-netns.out" && [ "$took" -lt 60 ]; then
    ok "check --online without network: one clear offline warning, the full report, ${took}s"
  else
    ko "check --online without network (exit $code, ${took}s)" "$(tail -5 "$OUT/online-netns.out")"
  fi
else
  skip 1 "no network namespace: the offline check of --online did not run"
fi
if ! command -v strace >/dev/null 2>&1 || ! strace -f -qq -o /dev/null true 2>/dev/null; then
  skip 1 "strace cannot run here: the endpoint check of --online did not run"
elif ! command -v python3 >/dev/null 2>&1; then
  skip 1 "python3 is missing: no local Hub to check --online against"
else
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ( cd "$ONLINE/hub" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 ) >"$OUT/online-hub.log" 2>&1 &
  HUB=$!
  for _ in $(seq 50); do grep -q "Serving" "$OUT/online-hub.log" 2>/dev/null && break; sleep 0.1; done
  FINEPRINT_CACHE_DIR="$ONLINE/cache" HF_ENDPOINT="http://127.0.0.1:$PORT" \
    strace -f -qq -e trace=connect -o "$OUT/online.strace" "$BIN" check --online --all "$ONLINE/proj" \
    >"$OUT/online.out" 2>&1
  kill "$HUB" 2>/dev/null
  wait "$HUB" 2>/dev/null
  inet=$(grep -E 'sa_family=AF_INET6?' "$OUT/online.strace" || true)
  others=$(echo "$inet" | grep -v "sin_port=htons($PORT), sin_addr=inet_addr(\"127.0.0.1\")" | grep . || true)
  if grep -q "Apache-2.0 (hub)" "$OUT/online.out" && [ -n "$inet" ] && [ -z "$others" ]; then
    ok "check --online contacts only the configured endpoint (127.0.0.1:$PORT, $(echo "$inet" | grep -c .) connection(s))"
  else
    ko "check --online: answer or connections" "$(cat "$OUT/online.out"; echo "$others")"
  fi
fi

[ "$skipped" -gt 0 ] && echo "($skipped check(s) skipped on this machine, see the skip lines)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
