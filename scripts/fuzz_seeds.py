#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the repository's own texts.

Usage: fuzz_seeds.py REPO OUT   (OUT/<target>/<name> files; existing files are kept)

The `gguf` target writes its own seeds (headers made by `gguf::write_test_header`)
when scripts/fuzz.sh runs it with FINEPRINT_FUZZ_SEEDS set.
"""
import hashlib
import json
import pathlib
import random
import re
import sys
import tomllib

repo = pathlib.Path(sys.argv[1])
out = pathlib.Path(sys.argv[2])
MAX = 64 * 1024


def put(target: str, data: bytes) -> None:
    if not data or len(data) > MAX:
        return
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


texts = []
# Detection tables: the `text` of every case.
for f in sorted((repo / "tests/detection").glob("*.toml")):
    for case in tomllib.loads(f.read_text()).get("case", []):
        if isinstance(case.get("text"), str):
            texts.append(case["text"].encode())
# The example project and the corpus: every file as it is.
for root in ["examples", "tests/corpus"]:
    for f in sorted((repo / root).rglob("*")):
        if f.is_file():
            texts.append(f.read_bytes())
# The adversarial shapes of the linear-time issue (server/tests/growth.rs), at 48 KiB:
# one base64 line, one line of `word/other` tokens, model ids on one line, a
# reference on every lone-`\r`-ended line, deep nesting.
rnd = random.Random(18)
b64 = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(48 * 1024))
shapes = [
    f'DATA = "{b64}"\n',
    " ".join(f"w{i}/o{i}" for i in range(5000)) + "\n",
    "models = [" + ", ".join(f'"meta-llama/Llama-3.1-{i % 90}B"' for i in range(1500)) + "]\n",
    'model = "gpt-4o"\r' * 2500,
    "x = " + "[{(" * 5000 + "'org/name'" + ")}]" * 5000 + "\n",
]
for shape in shapes:
    texts.append(shape.encode()[:MAX])
for t in texts:
    put("detect", t)
    put("lsp_edits", t)

# Policies: ```toml blocks of the docs, and policy files of the fixtures.
for f in sorted((repo / "docs").rglob("*.md")):
    for block in re.findall(r"```toml\n(.*?)```", f.read_text(), re.S):
        put("policy", block.encode())
for name in ["fineprint.toml", "pyproject.toml"]:
    for f in sorted(repo.rglob(name)):
        if "target" not in f.parts and ".git" not in f.parts:
            put("policy", f.read_bytes())

# Rules: every model and license file, behind the selector byte (0 models, 1 licenses).
for f in sorted((repo / "rules/models").glob("*.toml")):
    put("rules", b"\x00" + f.read_bytes())
for f in sorted((repo / "rules/licenses").glob("*.toml")):
    put("rules", b"\x01" + f.read_bytes())

# Transport: JSON-RPC messages a client sends, and near misses.
msgs = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
    {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///a.py", "languageId": "python", "version": 1, "text": "m = 'gpt-4o'"}}},
    {"jsonrpc": "2.0", "id": "x", "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 5}}},
    {"jsonrpc": "2.0", "id": 7, "result": None},
    {"jsonrpc": "2.0", "id": 7, "error": {"code": -32601, "message": "no"}},
    {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}},
]
for m in msgs:
    put("transport", json.dumps(m).encode())
for raw in [b"{not json", b"[]", b'{"jsonrpc":"1.0"}', b'{"id":null}', b"\xff\xfe"]:
    put("transport", raw)

# Transport headers: whole client streams (frames of the messages above, sessions with
# cancellations, header variants, lying lengths). A piece after `\x00\xff` starts with a
# little-endian u16 count and is repeated that many times (see
# fuzz/fuzz_targets/transport_headers.rs).
def frame(body: bytes, headers: bytes = b"") -> bytes:
    return b"Content-Length: %d\r\n" % len(body) + headers + b"\r\n" + body


def rep(unit: bytes, count: int) -> bytes:
    return b"\x00\xff" + count.to_bytes(2, "little") + unit


bodies = [json.dumps(m).encode() for m in msgs]
hover = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 0}}}).encode()
cancel = json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 9}}).encode()
exit_ = json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()
streams = [
    b"".join(frame(b) for b in bodies),
    frame(hover) + frame(cancel) + frame(cancel) + frame(exit_),
    frame(bodies[0], b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"),
    b"content-length:   %d  \r\n\r\n" % len(bodies[1]) + bodies[1],
    b"garbage" + frame(bodies[1]),                      # a header glued to garbage
    bodies[1] + frame(bodies[1]),                       # a body longer than announced
    b"Content-Length: 1000000000000\r\n\r\n{}",         # a length past MAX_BODY
    b"Content-Length: 67108864\r\n\r\n{}",              # exactly MAX_BODY, cut short
    b"Content-Length: x\r\n\r\n" + frame(bodies[1]),
    b"Content-Length: 5\r\n\r\n{not json" + frame(bodies[1]),
    b"\r\n\r\n\n\n" + frame(bodies[1]),
    # A 1 MB header line, then a message; the same line without a line end, glued.
    b"X-Long: " + rep(b"abcdefghijklmnop", 65535) + rep(b"\r\n", 1) + frame(bodies[1]),
    b"x" + rep(b"garbage ", 40000) + rep(frame(bodies[1]), 1),
    # 31 extra header lines (kept) and 40 (the message is dropped).
    rep(b"X-A: 1\r\n", 31) + rep(frame(bodies[1]), 1),
    rep(b"X-A: 1\r\n", 40) + rep(frame(bodies[1]), 1) + rep(frame(bodies[1]), 1),
    # Many small messages.
    b"" + rep(frame(bodies[1]), 2000),
]
for s in streams:
    put("transport_headers", s)

# Front matter: model cards as the Hub writes them, and one card per license id of the
# rules (`license: ID`).
cards = [
    "---\nlicense: apache-2.0\n---\n# Model\n",
    "---\nlicense: other\nlicense_name: qwen-research\nlicense_link: https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE\n---\n",
    "---\nlanguage:\n- en\n- fr\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\npipeline_tag: text-generation\ntags:\n- facebook\n- meta\n- llama\nextra_gated_prompt: >-\n  ### LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n\n  Llama 3.1 Version Release Date: July 23, 2024\nextra_gated_fields:\n  First Name: text\n  Country: country\n---\n\n## Model Information\n",
    "---\nbase_model:\n- Qwen/Qwen2.5-7B\n- Qwen/Qwen2.5-7B-Instruct\nlibrary_name: transformers\nlicense: apache-2.0\n---\n",
    "---\nbase_model: ['mistralai/Mistral-7B-v0.1', \"HuggingFaceH4/zephyr-7b-beta\"]\nlicense: mit # the merge\n---\n",
    "---\nlicense: cc-by-nc-4.0\nmodel-index:\n- name: x\n  results:\n  - task:\n      type: text-generation\n    license: gpl-3.0\ndatasets:\n- HuggingFaceH4/ultrachat_200k\n---\n",
    "\ufeff---\r\nlicense: 'MIT'\r\nbase_model:\r\n  - a/b\r\n...\r\nrest",
    "---\nlicense: |\n  multi\n  line\nlicense_name:\nlicense_link: \"\"\n---\n",
    "---\n# a comment\n\nlicense:apache-2.0\n---\n",
    "---\nlicense: apache-2.0\n",
]
for c in cards:
    put("front_matter", c.encode())
for f in sorted((repo / "rules/licenses").glob("*.toml")):
    lic = tomllib.loads(f.read_text()).get("id")
    if isinstance(lic, str):
        put("front_matter", f"---\nlicense: {lic}\n---\n".encode())

# Ollama names: library, user, host-qualified, with and without tags, and escapes.
names = [
    "llama3.1", "llama3.1:8b", "qwen2.5:7b-instruct-q4_K_M", "jmorgan/llama:1",
    "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M",
    "registry.ollama.ai/library/mistral:latest", "hf.co/a/b/c:d",
    "../../etc/passwd", "a/../b", "a/./b", "a//b", "/abs:tag", "x:../y", "x:", ":",
    "host.with.dots/..:tag", "C:\\x", "model:tag:other",
]
for n in names:
    put("ollama_manifest", n.encode())
