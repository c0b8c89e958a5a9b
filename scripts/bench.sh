#!/usr/bin/env bash
# Performance benchmark of fineprint against the targets of the performance issue
# (figures recorded in docs/performance.md):
#
#  1. scan throughput: `fineprint check` against `rg --hidden --count-matches
#     '[\w.-]+/[\w.-]+'` on the same large generated tree, both on all cores, run
#     alternately (ROUNDS rounds each); medians and their ratio (target <= 1.5); then
#     the same on real repositories (BENCH_CORPUS; target <= 1.3);
#  2. MB/s per core by file kind (`fineprint check` on every file of one kind given as
#     arguments: files given by name are checked one after the other, on one core);
#  3. peak resident memory of `fineprint check` over the tree (target < 200 MB), and
#     the time of `fineprint check` on one small file (target < 20 ms);
#  4. the language server from a client over stdio (`cargo bench --bench lsp_latency`):
#     latency percentiles, and resident memory with 100 open 100 KB documents
#     (target < 50 MB).
#
#   bash scripts/bench.sh [ROUNDS]          (default 5)
#   BENCH_MB=300 bash scripts/bench.sh      (size of the tree, default 300 MB)
#   BENCH_SKIP_LSP=1 bash scripts/bench.sh  (only the command-line part)
#   BENCH_DENSITY=1 BENCH_TREE=target/bench-tree-dense bash scripts/bench.sh
#                                           (four times the references, another tree)
#   BENCH_BASELINE=/path/to/old/fineprint   (also time an older build, same rounds)
#   BENCH_CORPUS=/work/corpus               (real repositories, default /work/corpus:
#                                            the same comparison there, target <= 1.3)
#
# The tree is generated deterministically under target/bench-tree from the project's
# own fixtures (tests/corpus, tests/detection, examples) and filler code, and reused
# while neither this script nor the fixtures change. It is never committed (target/ is
# ignored). Evidence readers are off (FINEPRINT_NO_EVIDENCE=1) so that the local
# Hugging Face / Ollama caches of the machine do not enter the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-5}
BENCH_MB=${BENCH_MB:-300}
BENCH_DENSITY=${BENCH_DENSITY:-0.25}
TREE=${BENCH_TREE:-$ROOT/target/bench-tree}
CORPUS=${BENCH_CORPUS:-/work/corpus}
export FINEPRINT_NO_EVIDENCE=1

# ripgrep: from Debian (`apt-get install -y ripgrep`), or built from crates.io into a
# folder of your own (`cargo install ripgrep --root "$HOME/.local"`, then put
# `$HOME/.local/bin` on PATH). Its version is printed with the figures.
if ! command -v rg >/dev/null; then
  echo "ripgrep (rg) is needed: apt-get install -y ripgrep, or cargo install ripgrep --root DIR (and DIR/bin on PATH)" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }

cargo build --release -q -p fineprint --bin fineprint
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/fineprint

# ---------------------------------------------------------------- the tree
stamp=$( { echo "mb=$BENCH_MB density=$BENCH_DENSITY"; sed -n '/^ *# BEGIN GENERATOR$/,/^ *# END GENERATOR$/p' "$0";
           find tests/corpus tests/detection examples -type f | LC_ALL=C sort | xargs cat; } \
         | sha256sum | cut -c1-16)
if [[ ! -f $TREE.stamp || $(cat "$TREE.stamp") != "$stamp" ]]; then
  echo "generating $TREE ($BENCH_MB MB) ..."
  rm -rf "$TREE"
  mkdir -p "$TREE"
  # BEGIN GENERATOR
  python3 - "$TREE" "$BENCH_MB" "$BENCH_DENSITY" <<'PY'
import base64, json, os, random, sys, tomllib
from pathlib import Path

out = Path(sys.argv[1])
target = int(sys.argv[2]) * 1_000_000
density = float(sys.argv[3])
rng = random.Random(20261123)

# --- fixtures, by kind --------------------------------------------------------
def kind_of(name):
    l = name.lower()
    if l in ("dockerfile", "containerfile") or l.startswith("dockerfile."): return "docker"
    if l in ("makefile", "gnumakefile"): return "sh"
    if l == "modelfile" or l.startswith("modelfile.") or l.endswith(".modelfile"): return "modelfile"
    if l == ".env" or l.startswith(".env.") or l.endswith(".env"): return "env"
    ext = l.rsplit(".", 1)[-1] if "." in l else ""
    return {"py": "py", "ipynb": "ipynb", "js": "js", "mjs": "js", "ts": "js", "tsx": "js",
            "rs": "rs", "go": "go", "yaml": "yaml", "yml": "yaml", "toml": "toml",
            "json": "json", "sh": "sh", "md": "md"}.get(ext)

snips = {}
def add(kind, text):
    if kind and text.strip():
        snips.setdefault(kind, []).append(text.strip("\n"))

toml_kind = {"python": "py", "notebook": "ipynb", "javascript": "js", "rust": "rs",
             "go": "go", "yaml": "yaml", "toml": "toml", "json": "json", "env": "env",
             "dockerfile": "docker", "shell": "sh", "modelfile": "modelfile", "markdown": "md"}
for f in sorted(Path("tests/detection").glob("*.toml")):
    for case in tomllib.loads(f.read_text()).get("case", []):
        add(toml_kind.get(f.stem), case.get("text", ""))
for base in ("tests/corpus", "examples"):
    for f in sorted(Path(base).rglob("*")):
        if f.is_file() and f.name not in ("expected.toml", "EXPECTED.md"):
            add(kind_of(f.name), f.read_text(errors="replace"))

# Notebook fixtures contribute their cells' sources.
nb_cells = []
for t in snips.get("ipynb", []):
    try:
        nb = json.loads(t)
    except ValueError:
        continue
    for c in nb.get("cells", []):
        src = c.get("source", [])
        src = src if isinstance(src, list) else [src]
        if any(s.strip() for s in src):
            nb_cells.append(src)

# --- filler -------------------------------------------------------------------
W = ("user order invoice session token cache batch record event metric report account "
     "payment shipment widget config profile queue worker job task result score sample "
     "feature label image frame audio chunk shard index vector embedding prompt reply "
     "request response upload download export import schedule retry limit window buffer").split()
MODS = "core utils api models views services handlers storage auth billing search ingest".split()
HOSTS = ["github.com/pallets/flask", "docs.python.org/3/library", "github.com/rust-lang/rust",
         "developer.mozilla.org/en-US/docs/Web", "pkg.go.dev/net/http", "kubernetes.io/docs/concepts",
         "stackoverflow.com/questions", "github.com/tokio-rs/tokio", "www.postgresql.org/docs/16"]

def w(): return rng.choice(W)
def W2(): return w().capitalize() + w().capitalize()
def n(a=1, b=9999): return rng.randint(a, b)
def url(): return f"https://{rng.choice(HOSTS)}/{w()}-{n()}"
def b64(k): return base64.b64encode(rng.randbytes(k * 3 // 4 + 3)).decode()[:k]

def py_block():
    a, b, c = w(), w(), w()
    return rng.choice([
        f'''def process_{a}_{b}(records, out_dir="data/processed/{c}"):
    """Normalize {a} records and write them to {c}/ (see {url()})."""
    path = os.path.join(out_dir, f"{a}_{{len(records)}}.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            ratio = rec["{b}"] / max(rec["{c}_count"], 1)
            fh.write(json.dumps({{"id": rec["id"], "ratio": ratio}}) + "\\n")
    logger.info("wrote %d {a} records to %s", len(records), path)
    return path
''',
        f'''class {W2()}Service:
    """Talks to the {a} API; retries on 5xx."""

    def __init__(self, base_url="https://api.example.com/v1/{a}", timeout={n(1, 60)}):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout

    def get_{b}(self, {b}_id: int) -> dict:
        resp = self.session.get(f"{{self.base_url}}/{b}s/{{{b}_id}}", timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def list_{c}(self, page=1, per_page={n(10, 100)}):
        params = {{"page": page, "per_page": per_page, "sort": "created_at/desc"}}
        return self.session.get(f"{{self.base_url}}/{c}", params=params).json()["items"]
''',
        f'''@pytest.mark.parametrize("{a},{b}", [({n()}, {n()}), ({n()}, {n()}), (0, 1)])
def test_{a}_{b}_ratio({a}, {b}):
    # Regression for {url()}
    got = compute_ratio({a}, {b})
    assert got == pytest.approx({a} / max({b}, 1), rel=1e-6)
    assert Path("tests/fixtures/{c}.json").exists()
''',
        f'''def load_{a}_frame(root: Path, split: str = "train") -> pd.DataFrame:
    frame = pd.read_parquet(root / "{b}" / f"{{split}}.parquet")
    frame["{c}_norm"] = (frame["{c}"] - frame["{c}"].mean()) / frame["{c}"].std()
    frame = frame[frame["{a}_id"].notna()].reset_index(drop=True)
    for col in ("{a}", "{b}", "{c}"):
        frame[col] = frame[col].astype("category")
    return frame.sort_values(["{a}_id", "{b}"], ascending=[True, False])
''',
        f'''# --- {a} / {b} helpers ---------------------------------------------------
{a.upper()}_DIR = os.environ.get("{a.upper()}_DIR", "/var/lib/{a}/{b}")
{b.upper()}_TTL = int(os.environ.get("{b.upper()}_TTL", "{n(60, 86400)}"))
_{c}_cache: dict[str, float] = {{}}

def {c}_key(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p)
''',
    ])

def js_block():
    a, b, c, N = w(), w(), w(), W2()
    return rng.choice([
        f'''export async function fetch{N}(id: string): Promise<{N}> {{
  const res = await axios.get(`/api/v1/{a}/${{id}}/{b}`, {{ timeout: {n(100, 9000)} }});
  if (res.status !== 200) {{
    throw new Error(`GET /api/v1/{a}/${{id}} failed: ${{res.status}}`);
  }}
  return {{ ...res.data, ratio: res.data.{b} / Math.max(res.data.{c}, 1) }} as {N};
}}
''',
        f'''import {{ use{N} }} from "../hooks/use{N}";
import {W2()} from "./components/{W2()}";
import styles from "../styles/{a}.module.css";

export default function {N}Page({{ {a}Id }}: {{ {a}Id: string }}) {{
  const [{b}, set{b.capitalize()}] = useState<string[]>([]);
  const {{ data, error }} = use{N}({a}Id);
  useEffect(() => {{
    if (data) set{b.capitalize()}(data.items.map((x) => x.{c}));
  }}, [data]);
  if (error) return <p className={{styles.error}}>Could not load {a}/{b}: {{String(error)}}</p>;
  return <ul className={{styles.list}}>{{{b}.map((x) => <li key={{x}}>{{x}}</li>)}}</ul>;
}}
''',
        f'''const {a}Routes = [
  {{ path: "/{a}/:id", component: {N}Detail, meta: {{ title: "{a} detail" }} }},
  {{ path: "/{a}/:id/{b}", component: {N}{b.capitalize()}, meta: {{ auth: true }} }},
  {{ path: "/{b}/new", component: New{b.capitalize()}, meta: {{ docs: "{url()}" }} }},
];
// Width in px: {n(100, 900)} / {n(2, 9)} columns
export const {c}Width = Math.floor(window.innerWidth / {n(2, 9)});
''',
        f'''describe("{a} {b}", () => {{
  it("computes the {c} ratio", () => {{
    expect(ratio({n()}, {n()})).toBeCloseTo({n()} / {n()}, 5);
    expect(format{N}({{ id: "{a}-{n()}" }})).toMatchSnapshot();
  }});
}});
''',
    ])

def rs_block():
    a, b, c, N = w(), w(), w(), W2()
    return rng.choice([
        f'''/// Parses the `{a}` section; see <{url()}>.
pub fn parse_{a}(input: &str) -> Result<{N}, Error> {{
    let mut map = HashMap::new();
    for (i, line) in input.lines().enumerate() {{
        let (k, v) = line.split_once('=').ok_or(Error::Syntax(i + 1))?;
        map.insert(k.trim().to_string(), v.trim().to_string());
    }}
    let {b} = map.get("{b}").map_or(0.0, |v| v.parse::<f64>().unwrap_or(0.0));
    Ok({N} {{ map, ratio: {b} / {n(2, 99)} as f64 }})
}}
''',
        f'''use crate::{rng.choice(MODS)}::{{{N}, {W2()}}};
use std::path::{{Path, PathBuf}};

impl {N} {{
    pub fn {b}_path(&self, root: &Path) -> PathBuf {{
        root.join("{a}").join(format!("{{}}/{c}.bin", self.id))
    }}

    pub fn is_{c}(&self) -> bool {{
        self.{b}.len() > {n(1, 64)} && !self.{a}.is_empty()
    }}
}}
''',
        f'''#[cfg(test)]
mod {a}_tests {{
    use super::*;

    #[test]
    fn {b}_roundtrip() {{
        let v = {N}::new("{a}/{b}", {n()});
        assert_eq!(v.to_string(), "{a}/{b}:{n()}".replace(":", "/"));
    }}
}}
''',
    ])

def go_block():
    a, b, c, N = w(), w(), w(), W2()
    return rng.choice([
        f'''// {N}Handler serves /api/v1/{a}/{{id}}/{b}.
func (h *Handler) {N}Handler(w http.ResponseWriter, r *http.Request) {{
	id := chi.URLParam(r, "id")
	{b}, err := h.store.Get{N}(r.Context(), id)
	if err != nil {{
		http.Error(w, fmt.Sprintf("{a} %s: %v", id, err), http.StatusNotFound)
		return
	}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode({b})
}}
''',
        f'''func (s *{N}Store) {b.capitalize()}Ratio(ctx context.Context, {a} int) (float64, error) {{
	row := s.db.QueryRowContext(ctx, "SELECT {b}, {c} FROM {a}s WHERE id = $1", {a})
	var x, y float64
	if err := row.Scan(&x, &y); err != nil {{
		return 0, fmt.Errorf("scan {a}/{b}: %w", err)
	}}
	return x / math.Max(y, 1), nil
}}
''',
        f'''func register{N}Routes(r chi.Router, h *Handler) {{
	r.Get("/{a}/{{id}}", h.Get{N})
	r.Post("/{a}/{{id}}/{b}", h.Create{b.capitalize()})
	r.Delete("/{c}/{{id}}", h.Delete{c.capitalize()}) // see {url()}
}}
''',
    ])

def yaml_block():
    a, b, c = w(), w(), w()
    return rng.choice([
        f'''- name: {a}-{b}
  image: ghcr.io/acme/{a}-{b}:{n(1, 9)}.{n(0, 20)}.{n(0, 9)}
  ports:
    - containerPort: {n(1000, 9000)}
  env:
    - name: {a.upper()}_URL
      value: "http://{b}.default.svc.cluster.local:{n(1000, 9000)}/{c}"
  volumeMounts:
    - mountPath: /var/lib/{a}/{c}
      name: {c}-data
''',
        f'''  {a}_{b}:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.{n(9, 12)}"
      - run: pip install -r requirements/{a}.txt
      - run: pytest tests/{b} -k "{c}" --junitxml=reports/{a}.xml
''',
        f'''{a}:
  learning_rate: {n(1, 9)}.0e-{n(4, 6)}
  batch_size: {rng.choice([8, 16, 32, 64])}
  warmup_steps: {n(10, 2000)}
  output_dir: outputs/{a}/{b}
  logging_dir: logs/{a}/{c}
  save_steps: {n(100, 5000)}
''',
    ])

def toml_block():
    a, b, c = w(), w(), w()
    return rng.choice([
        f'''[{a}.{b}]
path = "data/{a}/{b}"
retries = {n(1, 9)}
timeout_ms = {n(100, 90000)}
tags = ["{a}", "{b}", "{c}"]
''',
        f'''[dependencies.{a}-{b}]
version = "{n(0, 3)}.{n(0, 30)}"
features = ["{c}", "serde"]
git = "https://github.com/acme/{a}-{b}"
''',
        f'''[[{a}]]
name = "{b}-{c}"
url = "{url()}"
weight = {n(1, 100)}
''',
    ])

def json_block():
    a, b = w(), w()
    v = f"{n(0, 9)}.{n(0, 40)}.{n(0, 20)}"
    return rng.choice([
        f'''    "node_modules/{a}-{b}": {{
      "version": "{v}",
      "resolved": "https://registry.npmjs.org/{a}-{b}/-/{a}-{b}-{v}.tgz",
      "integrity": "sha512-{b64(86)}==",
      "dev": true
    }},
''',
        f'''    "@acme/{a}-{b}": {{
      "version": "{v}",
      "resolved": "https://registry.npmjs.org/@acme/{a}-{b}/-/{a}-{b}-{v}.tgz",
      "integrity": "sha512-{b64(86)}==",
      "dependencies": {{ "{w()}": "^{v}", "{w()}-{w()}": "~{v}" }}
    }},
''',
        f'''    "{a}_{b}": {{ "id": {n()}, "ratio": {n()}.{n()}, "path": "assets/{a}/{b}.png", "tags": ["{w()}", "{w()}"] }},
''',
    ])

def env_block():
    a, b = w().upper(), w().upper()
    return rng.choice([
        f"{a}_{b}_URL=postgres://{w()}:{w()}@db.internal:5432/{w()}\n",
        f"{a}_LOG_LEVEL={rng.choice(['info', 'debug', 'warn'])}\n{b}_TIMEOUT={n(1, 600)}\n",
        f"{a}_BUCKET=s3://acme-{w()}/{w()}/{w()}\n",
        f"# {a} settings, see {url()}\n{a}_{b}_ENABLED={rng.choice(['true', 'false'])}\n",
    ])

def docker_block():
    a, b = w(), w()
    return rng.choice([
        f"COPY requirements/{a}.txt /app/requirements/\nRUN pip install --no-cache-dir -r /app/requirements/{a}.txt\n",
        f"WORKDIR /srv/{a}\nCOPY src/{a}/ /srv/{a}/\nENV {a.upper()}_HOME=/srv/{a} PATH=/srv/{a}/bin:$PATH\n",
        f"RUN apt-get update && apt-get install -y --no-install-recommends {a}-{b} curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
        f'EXPOSE {n(1000, 9000)}\nHEALTHCHECK CMD curl -fsS http://localhost:{n(1000, 9000)}/{a}/health || exit 1\n',
    ])

def sh_block():
    a, b, c = w(), w(), w()
    return rng.choice([
        f'''{a}_{b}() {{
  local out_dir="${{OUT_DIR:-/tmp/{a}}}/{b}"
  mkdir -p "$out_dir/logs"
  for f in data/{c}/*.csv; do
    python scripts/{a}.py --input "$f" --output "$out_dir/$(basename "$f" .csv).parquet" \\
      >> "$out_dir/logs/{b}.log" 2>&1
  done
}}
''',
        f'''if [[ ! -d "$HOME/.cache/{a}" ]]; then
  curl -fsSL {url()}/install.sh | bash -s -- --prefix "$HOME/.local/{b}"
fi
rsync -az --delete build/{c}/ deploy@{a}.internal:/srv/{c}/
''',
        f'''{a}: build/{b}.o build/{c}.o
\t$(CC) $(CFLAGS) -o bin/{a} build/{b}.o build/{c}.o $(LDFLAGS)
''',
    ])

def modelfile_block():
    return rng.choice([
        f"PARAMETER temperature 0.{n(1, 9)}\nPARAMETER num_ctx {rng.choice([2048, 4096, 8192])}\n",
        f'SYSTEM """You answer questions about {w()} and {w()} orders. Keep answers under {n(50, 300)} words."""\n',
        f'PARAMETER stop "<|{w()}|>"\n',
    ])

def md_block():
    a, b, c = w(), w(), w()
    return rng.choice([
        f'''## {a.capitalize()} and {b}

The {a} service stores {b} records under `data/{a}/{b}` and exposes them at
`/api/v1/{a}/{{id}}`. See the [setup guide](docs/{c}/setup.md) and the
[upstream notes]({url()}) for the details of the {c} format; roughly {n(2, 98)}% of
requests are served from the cache.
''',
        f'''| {a} | {b} | {c} |
|---|---|---|
| {n()} | {n()} ms | `{a}/{b}` |
| {n()} | {n()} ms | `{b}/{c}` |
''',
        f'''```sh
pip install -e ".[{a}]"
python -m {a}.cli --config configs/{b}.yaml --out runs/{c}
```
''',
    ])

def nb_cell(src_lines, code=True):
    cell = {"cell_type": "code" if code else "markdown", "metadata": {}, "source": src_lines}
    if code:
        cell["execution_count"] = n(1, 99)
        outs = []
        if rng.random() < 0.5:
            outs.append({"name": "stdout", "output_type": "stream",
                         "text": [f"{w()} {n()} / {n()}\n" for _ in range(n(1, 8))]})
        if rng.random() < 0.2:
            outs.append({"data": {"image/png": b64(n(2000, 40000)), "text/plain": ["<Figure>"]},
                         "metadata": {}, "output_type": "display_data"})
        cell["outputs"] = outs
    return cell

# --- the shapes of real repositories that short filler blocks lack -------------
def minjs_piece():
    """A minified module of a bundle: no line ends, paths and URLs in strings."""
    a, b, c = w(), w(), w()
    return rng.choice([
        f'{n()}:function(e,t,n){{"use strict";var r=n({n()}),o=n.n(r),i=n({n()});e.exports={{path:"/api/v1/{a}/"+t,src:"./node_modules/{a}-{b}/dist/{c}.min.js",ok:!0}}}},',
        f'{n()}:(e,t,n)=>{{const r=n({n()});t.{a}=function(e){{return r.get("{url()}/{b}/"+e,{{headers:{{"Content-Type":"application/json"}}}})}}}},',
        f'function {a}{n()}(e,t){{for(var n=0;n<e.length;n++)t.push(e[n].{b}||"{c}/{a}");return t.join("/")}}',
        f'var {a}_{b}={{"{c}":"{a}/{b}@{n(0, 9)}.{n(0, 30)}.{n(0, 9)}","integrity":"sha384-{b64(64)}","src":"{url()}"}};',
        f'!function(e){{e.{a}=e.{a}||[],e.{a}.push(["{b}","{c}",{n()},{n()}])}}(window);',
    ])

def minjs_body(size):
    parts, total = [], 0
    fx = snips.get("js", [])
    while total < size:
        if fx and rng.random() < 0.002 * density:
            # A fixture, minified: one statement among the others.
            s = rng.choice(fx).replace("\n", ";") + ";"
        else:
            s = minjs_piece()
        parts.append(s)
        total += len(s)
    # A bundle is one line, or a few (a banner, the code, a source-map comment).
    return "/*! bundle | MIT */\n" + "".join(parts) + "\n//# sourceMappingURL=main.js.map\n"

def dense_yaml_body(size):
    """An OpenAPI document: deep nesting, a key on every line, paths and refs."""
    parts, total = ["openapi: 3.0.3\ninfo:\n  title: API\n  version: 1.0.0\npaths:\n"], 0
    fx = snips.get("yaml", [])
    while total < size:
        a, b = w(), w()
        if fx and rng.random() < 0.01 * density:
            s = "x-example:\n" + "\n".join("  " + l for l in rng.choice(fx).splitlines()) + "\n"
        else:
            s = (f"  /api/v1/{a}/{{{b}_id}}/{w()}:\n    get:\n      operationId: get_{a}_{b}\n"
                 f"      tags: [{a}, {b}]\n      parameters:\n        - name: {b}_id\n          in: path\n"
                 f"          required: true\n          schema: {{type: string, format: uuid}}\n"
                 f"      responses:\n        '200':\n          description: OK\n          content:\n"
                 f"            application/json:\n              schema:\n                $ref: '#/components/schemas/{a.capitalize()}{b.capitalize()}'\n"
                 f"        '404': {{$ref: '#/components/responses/NotFound'}}\n")
        parts.append(s)
        total += len(s)
    return "".join(parts)

def gen_json_body(size):
    """Generated JSON on one line: a tokenizer vocabulary or a data dump."""
    parts, total = [], 0
    if rng.random() < 0.5:
        head, tail = '{"version":"1.0","model":{"type":"BPE","vocab":{', '}}}\n'
        while total < size:
            s = f'"{rng.choice(["Ġ", "", "##"])}{w()}{rng.choice(["", "s", "ing", "/", "-" + w()])}":{n(0, 200000)},'
            parts.append(s)
            total += len(s)
        return head + "".join(parts) + '"<eos>":0' + tail
    head, tail = '[', ']\n'
    while total < size:
        a, b = w(), w()
        s = (f'{{"id":{n()},"path":"images/{a}/{b}_{n()}.jpg","label":"{a}/{b}",'
             f'"source":"{url()}","bbox":[{n()},{n()},{n()},{n()}],"split":"{rng.choice(["train", "val"])}"}},')
        parts.append(s)
        total += len(s)
    return head + "".join(parts) + '{}' + tail

def py_blob_body(size):
    """A Python test with a data blob: one base64 line of most of the file."""
    blob = b64(max(size - 400, 100))
    return (f'import base64\n\n# A {w()} fixture.\nDATA = "{blob}"\n\n\n'
            f'def test_{w()}():\n    raw = base64.b64decode(DATA)\n    assert len(raw) > 0\n')

FILLER = {"py": py_block, "js": js_block, "rs": rs_block, "go": go_block, "yaml": yaml_block,
          "toml": toml_block, "json": json_block, "env": env_block, "docker": docker_block,
          "sh": sh_block, "modelfile": modelfile_block, "md": md_block}

# Fixture snippets are inserted with this probability per block: about one reference
# every few hundred lines, as in a real code base that uses a handful of models.
P_FIXTURE = {"py": 0.03, "js": 0.02, "rs": 0.02, "go": 0.02, "yaml": 0.04, "toml": 0.04,
             "json": 0.01, "env": 0.08, "docker": 0.08, "sh": 0.04, "modelfile": 0.3,
             "md": 0.03, "ipynb": 0.05}

def body(kind, size):
    parts, total = [], 0
    fx = snips.get(kind, [])
    while total < size:
        if fx and rng.random() < P_FIXTURE[kind] * density:
            s = rng.choice(fx) + "\n"
        else:
            s = FILLER[kind]()
        parts.append(s + ("\n" if kind in ("py", "js", "rs", "go", "md") else ""))
        total += len(s)
    return "".join(parts)

def make(kind, size):
    if kind == "minjs":
        return minjs_body(size)
    if kind == "denseyaml":
        return dense_yaml_body(size)
    if kind == "genjson":
        return gen_json_body(size)
    if kind == "pyblob":
        return py_blob_body(size)
    if kind == "py":
        head = "import json\nimport logging\nimport os\nfrom pathlib import Path\n\nimport pandas as pd\nimport requests\n\nlogger = logging.getLogger(__name__)\n\n\n"
        return head + body(kind, size)
    if kind == "js":
        return 'import axios from "axios";\nimport { useEffect, useState } from "react";\n\n' + body(kind, size)
    if kind == "rs":
        return "use std::collections::HashMap;\n\nuse crate::error::Error;\n\n" + body(kind, size)
    if kind == "go":
        return 'package api\n\nimport (\n\t"context"\n\t"encoding/json"\n\t"fmt"\n\t"math"\n\t"net/http"\n\n\t"github.com/go-chi/chi/v5"\n)\n\n' + body(kind, size)
    if kind == "json":
        return '{\n  "name": "web",\n  "lockfileVersion": 3,\n  "packages": {\n' + body(kind, size) + '    "": {}\n  }\n}\n'
    if kind == "docker":
        return f"FROM python:3.{n(9, 12)}-slim AS base\n" + body(kind, size) + 'CMD ["python", "-m", "app"]\n'
    if kind == "sh":
        return "#!/usr/bin/env bash\nset -euo pipefail\n\n" + body(kind, size)
    if kind == "ipynb":
        cells, total = [], 0
        while total < size:
            if nb_cells and rng.random() < P_FIXTURE["ipynb"] * density:
                c = nb_cell(rng.choice(nb_cells))
            elif rng.random() < 0.2:
                c = nb_cell([l + "\n" for l in md_block().splitlines()], code=False)
            else:
                c = nb_cell([l + "\n" for l in py_block().splitlines()])
            cells.append(c)
            total += len(json.dumps(c))
        nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
              "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
        return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    return body(kind, size)

# (kind, share of the files, file names, size range in KB)
KINDS = [
    ("py", 22, lambda i: f"{w()}_{i}.py", (2, 300)),
    ("ipynb", 4, lambda i: f"explore_{w()}_{i}.ipynb", (20, 2000)),
    ("js", 20, lambda i: f"{W2()}{i}." + rng.choice(["ts", "tsx", "js", "mjs"]), (1, 200)),
    ("rs", 8, lambda i: f"{w()}_{i}.rs", (2, 200)),
    ("go", 8, lambda i: f"{w()}_{i}.go", (2, 200)),
    ("yaml", 9, lambda i: f"{w()}-{i}." + rng.choice(["yaml", "yml"]), (1, 60)),
    ("toml", 3, lambda i: f"{w()}_{i}.toml", (1, 30)),
    ("json", 6, lambda i: rng.choice(["package-lock", "data", "config", "tokenizer"]) + f"_{i}.json", (5, 3000)),
    ("env", 3, lambda i: rng.choice([".env", ".env.local", ".env.example", f"{w()}.env"]), (0.2, 4)),
    ("docker", 3, lambda i: rng.choice(["Dockerfile", f"Dockerfile.{w()}"]), (0.3, 6)),
    ("sh", 5, lambda i: rng.choice([f"{w()}_{i}.sh", "Makefile"]), (1, 40)),
    ("modelfile", 1, lambda i: rng.choice(["Modelfile", f"Modelfile.{w()}", f"{w()}.Modelfile"]), (0.2, 3)),
    ("md", 8, lambda i: rng.choice(["README.md", f"{w()}_{i}.md", f"docs_{i}.md"]), (1, 120)),
    # The shapes of real repositories: minified bundles, dense YAML, big generated JSON
    # on one line, test files with a data blob.
    ("minjs", 1, lambda i: rng.choice([f"vendor.{i}.min.js", f"main.{b64(8).lower()}{i}.js", f"bundle_{i}.js"]).replace("/", "x").replace("+", "y"), (50, 2000)),
    ("denseyaml", 1, lambda i: rng.choice([f"openapi_{i}.yaml", f"values-{i}.yaml", f"spec_{i}.yml"]), (20, 1000)),
    ("genjson", 0.5, lambda i: rng.choice([f"tokenizer_{i}.json", f"annotations_{i}.json"]), (100, 4000)),
    ("pyblob", 1, lambda i: f"test_{w()}_{i}.py", (20, 1000)),
]
DIRS = ["src", "src/" + "{m}", "app/{m}", "scripts", "configs", "notebooks", "docs",
        "deploy/{m}", "tests/{m}", "web/src/{m}", "services/{m}/internal"]

written = 0
i = 0
counts = {}
while written < target:
    i += 1
    kind, _, name, (lo, hi) = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
    # Log-uniform sizes: many small files, a few large ones (under the 8 MiB limit).
    size = int(1000 * lo * (hi / lo) ** rng.random())
    d = out / f"project-{i % 40:02d}" / rng.choice(DIRS).format(m=rng.choice(MODS))
    d.mkdir(parents=True, exist_ok=True)
    p = d / name(i)
    if p.exists():
        # Same name twice in a folder (README.md, Dockerfile): a subfolder of its own,
        # so that the name still says the kind.
        (d / f"x{i}").mkdir()
        p = d / f"x{i}" / p.name
    text = make(kind, size)
    p.write_text(text, encoding="utf-8")
    written += len(text.encode())
    counts[kind] = counts.get(kind, 0) + 1
print(f"  {sum(counts.values())} files, {written / 1e6:.0f} MB: " +
      ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
PY
  # END GENERATOR
  echo "$stamp" > "$TREE.stamp"
fi

# ---------------------------------------------------------------- the comparison
echo
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fineprint $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server || echo '+changes'), $(rg --version 2>/dev/null | sed -n 1p)"
python3 - "$BIN" "$TREE" "$ROUNDS" "${BENCH_BASELINE:-}" "$CORPUS" <<'PY'
import json, os, statistics, subprocess, sys, time
from pathlib import Path

fp, tree, rounds, baseline, corpus = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
RG = ["rg", "--hidden", "--count-matches", r"[\w.-]+/[\w.-]+", tree]
FP = [fp, "check", tree]

def run(cmd):
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one run."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024

# The tree, as fineprint sees it.
out = subprocess.run([fp, "check", "--format", "json", tree], capture_output=True, text=True)
summary = json.loads(out.stdout)["summary"]
size = sum(f.stat().st_size for f in Path(tree).rglob("*") if f.is_file())
lines = sum(f.read_bytes().count(b"\n") for f in Path(tree).rglob("*") if f.is_file())
print(f"tree: {tree}: {summary['files']} files read, {size / 1e6:.0f} MB, {lines / 1e6:.1f} M lines, "
      f"{summary['references']} references (one every {lines // max(summary['references'], 1)} lines)")

def compare(path, target):
    """rg and fineprint (and the baseline) over `path`, alternately, `rounds` rounds
    after one warm-up run each; prints the medians and the ratio; returns the runs."""
    contenders = [("rg", RG[:-1] + [path]), ("fineprint", [fp, "check", path])]
    if baseline:
        contenders.append(("baseline", [baseline, "check", path]))
    # Page cache warm for all; then alternate, swapping the order each round.
    for _, cmd in contenders:
        run(cmd)
    res = {name: [] for name, _ in contenders}
    for r in range(rounds):
        for name, cmd in (contenders if r % 2 == 0 else contenders[::-1]):
            res[name].append(run(cmd))
    med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in res.items()}
    for k, (wall, cpu, rss) in med.items():
        walls = " ".join(f"{x[0]:.2f}" for x in res[k])
        print(f"{k:>10}: median {wall:.2f} s wall, {cpu:.2f} s CPU ({walls})")
    if baseline:
        print(f"fineprint / baseline: {med['fineprint'][0] / med['baseline'][0]:.2f} (wall), "
              f"baseline / rg: {med['baseline'][0] / med['rg'][0]:.2f}")
    ratio = med["fineprint"][0] / med["rg"][0]
    print(f"ratio fineprint / rg: {ratio:.2f} (wall, medians of {rounds} alternating rounds; "
          f"CPU {med['fineprint'][1] / med['rg'][1]:.2f}); target <= {target}: {'met' if ratio <= target else 'NOT met'}")
    return res

res = compare(tree, 1.5)
peak = max(x[2] for x in res["fineprint"])
print(f"peak RSS of fineprint check over the tree: {peak:.0f} MB (target < 200 MB: {'met' if peak < 200 else 'NOT met'})")

# Real repositories (the labelled corpus of the detection work, BENCH_CORPUS): the
# throughput target of the linear-time issue is a ratio of at most 1.3 there.
if corpus and Path(corpus).is_dir():
    size = sum(f.stat().st_size for f in Path(corpus).rglob("*") if f.is_file() and not f.is_symlink())
    out = subprocess.run([fp, "check", "--format", "json", corpus], capture_output=True, text=True)
    summary = json.loads(out.stdout)["summary"]
    print(f"corpus: {corpus}: {summary['files']} files read, {size / 1e6:.0f} MB on disk, "
          f"{summary['references']} references")
    compare(corpus, 1.3)
else:
    print(f"corpus: {corpus or '(none)'} not found; set BENCH_CORPUS to a folder of repositories")

# MB/s per core by kind: every file of a kind given by name, which check reads one
# after the other on one core; minus the start-up (an empty file, same way).
KIND = {".py": "python", ".ipynb": "notebook", ".ts": "javascript", ".tsx": "javascript",
        ".js": "javascript", ".mjs": "javascript", ".rs": "rust", ".go": "go", ".yaml": "yaml",
        ".yml": "yaml", ".toml": "toml", ".json": "json", ".sh": "shell", ".md": "markdown"}
def kind_of(f):
    n = f.name.lower()
    if n == "makefile": return "shell"
    if n.startswith("dockerfile"): return "dockerfile"
    if n.startswith("modelfile") or n.endswith(".modelfile"): return "modelfile"
    if n.startswith(".env") or n.endswith(".env"): return "env"
    return KIND.get(f.suffix.lower())
files = {}
for f in sorted(Path(tree).rglob("*")):
    if f.is_file() and kind_of(f):
        files.setdefault(kind_of(f), []).append(str(f))
empty = Path(tree).parent / "bench-empty.py"
empty.write_text("")
start = statistics.median(run([fp, "check", str(empty)])[1] for _ in range(5))
print(f"MB/s per core by kind (`check FILE...` on one core, {start * 1000:.0f} ms start-up subtracted):")
for kind in sorted(files):
    fs = files[kind]
    mb = sum(os.path.getsize(f) for f in fs) / 1e6
    cpu = statistics.median(run([fp, "check", *fs])[1] for _ in range(3))
    print(f"  {kind:>10}: {len(fs):5d} files, {mb:6.1f} MB, {mb / max(cpu - start, 1e-3):6.0f} MB/s")

# Start-up: one small file, as a user runs it (the process, the knowledge base, the file).
small = "examples/train.py"
walls = [run([fp, "check", small])[0] for _ in range(25)][5:]  # the first five warm the cache
print(f"check {small} ({os.path.getsize(small)} bytes): median {statistics.median(walls) * 1000:.1f} ms "
      f"of 20 runs (target < 20 ms: {'met' if statistics.median(walls) < 0.020 else 'NOT met'})")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- the language server
if [[ -z ${BENCH_SKIP_LSP:-} ]]; then
  echo
  echo "language server (cargo bench -p fineprint --bench lsp_latency):"
  cargo bench -q -p fineprint --bench lsp_latency 2>/dev/null
fi
