#!/usr/bin/env python3
"""Generate rules/generated/*.tsv: model facts imported from pinned public packages.

    python3 scripts/gen_indexes.py            download (cached) inputs, write rules/generated/*.tsv
    python3 scripts/gen_indexes.py --check    regenerate into a temp dir; exit 1 if anything differs

Inputs, pins and the litellm provider mapping live in scripts/gen_indexes.toml. Inputs are fetched
with the registries' own clients (pip download / npm pack) into target/gen-inputs/, checked against
the pinned sha256, and read as data: Python sources with the `ast` module (nothing is imported or
executed), JSON with `json`. Standard library only.

A license string counts only when it equals (lowercased) a license `id` or one of its `aliases` in
rules/licenses/*.toml, read on every run. Anything else is left out and counted per value.
"""

from __future__ import annotations

import argparse
import ast
import collections
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "gen_indexes.toml"

KINDS_FIXED = ("hf", "api", "ollama")


# --------------------------------------------------------------------------------------------
# Licenses
# --------------------------------------------------------------------------------------------

class LicenseTable:
    """Lowercased license id or alias -> license id, from rules/licenses/*.toml."""

    def __init__(self, names: dict[str, str], ambiguous: dict[str, set[str]] | None = None):
        self.names = names
        self.ambiguous = ambiguous or {}

    @classmethod
    def load(cls, folder: Path, only: set[str] | None = None) -> "LicenseTable":
        """Read folder/*.toml (only the file names in `only`, when given)."""
        names: dict[str, str] = {}
        seen: dict[str, set[str]] = collections.defaultdict(set)
        for path in sorted(folder.glob("*.toml")):
            if only is not None and path.name not in only:
                continue
            with open(path, "rb") as f:
                data = tomllib.load(f)
            lid = data.get("id")
            if not isinstance(lid, str) or not lid:
                print(f"warning: {path}: no id, skipped", file=sys.stderr)
                continue
            for name in [lid, *(data.get("aliases") or [])]:
                if isinstance(name, str) and name.strip():
                    seen[name.strip().lower()].add(lid)
        ambiguous = {}
        for name, ids in seen.items():
            if len(ids) == 1:
                names[name] = next(iter(ids))
            else:
                ambiguous[name] = ids
        for name, ids in sorted(ambiguous.items()):
            print(f"warning: license name {name!r} is an id/alias of several licenses {sorted(ids)}; "
                  f"not used", file=sys.stderr)
        return cls(names, ambiguous)

    def resolve(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        return self.names.get(value.strip().lower())

    def ids(self) -> set[str]:
        return set(self.names.values())


# --------------------------------------------------------------------------------------------
# Entries, stats, output
# --------------------------------------------------------------------------------------------

@dataclass
class Stats:
    """Counters printed after a run; the tests read them too."""
    counts: collections.Counter = field(default_factory=collections.Counter)
    unmapped: collections.Counter = field(default_factory=collections.Counter)  # license value -> n
    notes: list[str] = field(default_factory=list)
    unmapped_providers: collections.Counter = field(default_factory=collections.Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


def unmapped_key(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return f"<non-literal: {value.src}>"
    return str(value)


class Collector:
    """Gathers (kind, id, license) rows; resolves licenses; drops conflicting duplicates."""

    def __init__(self, licenses: LicenseTable, stats: Stats):
        self.licenses = licenses
        self.stats = stats
        self.rows: dict[tuple[str, str], set[str]] = collections.defaultdict(set)

    def add(self, kind: str, ident: str, license_value: Any, *, already_id: bool = False) -> bool:
        assert kind in KINDS_FIXED or kind.startswith("lib:"), kind
        if not isinstance(ident, str) or not ident or any(c in ident for c in "\t\r\n") \
                or ident != ident.strip():
            self.stats.add("skipped: id empty or with whitespace/control characters")
            return False
        lid = license_value if already_id else self.licenses.resolve(license_value)
        if lid is None:
            self.stats.unmapped[unmapped_key(license_value)] += 1
            self.stats.add(f"left out ({kind}): license not a known id or alias")
            return False
        self.rows[(kind, ident)].add(lid)
        return True

    def finish(self) -> list[tuple[str, str, str]]:
        # The engine matches ids case-insensitively (API names keep their case) with `_` as `-`
        # (server/src/kb/generated.rs key_of): ids equal under that folding must agree too.
        groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for (kind, ident) in self.rows:
            groups[(kind, engine_key(kind, ident))].append(ident)
        out = []
        for (kind, _), idents in groups.items():
            lids = set().union(*(self.rows[(kind, i)] for i in idents))
            if len(lids) > 1:
                msg = f"conflict: {kind} {' / '.join(sorted(idents))} has licenses {sorted(lids)}; dropped"
                print(msg, file=sys.stderr)
                self.stats.notes.append(msg)
                self.stats.add("dropped: same kind+id with different licenses", len(idents))
                continue
            out += [(kind, i, next(iter(lids))) for i in idents]
        out.sort(key=lambda r: (r[0], r[1].lower(), r[1]))
        return out


def engine_key(kind: str, ident: str) -> str:
    key = ident.replace("_", "-")
    return key if kind == "api" else key.lower()


def render(header: list[tuple[str, str]], rows: list[tuple[str, str, str]]) -> str:
    lines = ["# generated by scripts/gen_indexes.py; do not edit by hand"]
    lines += [f"# {k}: {v}" for k, v in header]
    lines.append("kind\tid\tlicense")
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# A small evaluator of Python expressions, for reading data out of ASTs without executing them
# --------------------------------------------------------------------------------------------

class Opaque:
    """A value the reader cannot know statically (a name, a call, an f-string...)."""

    def __init__(self, node: ast.AST | None, why: str = ""):
        try:
            src = ast.unparse(node) if node is not None else why
        except Exception:  # pragma: no cover
            src = why or "?"
        self.src = src if len(src) <= 60 else src[:57] + "..."

    def __repr__(self) -> str:
        return f"Opaque({self.src})"

    def __bool__(self) -> bool:  # truthiness unknown; callers must test isinstance first
        raise TypeError("truth value of an Opaque is unknown")


class Unsupported(Exception):
    pass


class Module:
    """Module-level definitions a cfg expression may refer to."""

    def __init__(self, tree: ast.Module):
        self.funcs: dict[str, ast.FunctionDef] = {}
        self.assigns: dict[str, list[ast.AST]] = collections.defaultdict(list)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.funcs[node.name] = node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                self.assigns[node.targets[0].id].append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.assigns[node.target.id].append(node.value)

    def const(self, name: str) -> ast.AST | None:
        """The value of a name assigned exactly once at module level."""
        vals = self.assigns.get(name)
        return vals[0] if vals and len(vals) == 1 else None


def evaluate(node: ast.AST, mod: Module, env: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """Value of the expression `node`, computed by a small interpreter over plain data.

    Understood: literals, tuples/lists/dicts (with ** spreads), names bound in `env` or assigned
    once at module level, dict(...), calls of module-level helpers whose body is a single
    `return` (`def _cfg(url='', **kwargs): return {...}`), comprehensions, f-strings, indexing,
    conditional expressions, comparisons, and a few methods of dict (items, keys, values, get)
    and str (split, rsplit, replace, strip, lower, upper, startswith, endswith). Nothing of the
    package is imported or executed. Anything else becomes an Opaque value."""
    env = env if env is not None else {}
    if depth > 40:
        raise Unsupported("evaluation too deep")
    d = depth + 1

    def ev(n: ast.AST, e: dict[str, Any] | None = None) -> Any:
        return evaluate(n, mod, env if e is None else e, d)

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        vals = [ev(e) for e in node.elts]
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return Opaque(node)
        return tuple(vals) if isinstance(node, ast.Tuple) else vals
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                spread = ev(v)
                if not isinstance(spread, dict):
                    return Opaque(node)
                out.update(spread)
            else:
                key = ev(k)
                if isinstance(key, Opaque):
                    return Opaque(node)
                out[key] = ev(v)
        return out
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        val = mod.const(node.id)
        if val is not None:
            return evaluate(val, mod, {}, d)
        return Opaque(node)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and v.conversion == -1 and v.format_spec is None:
                x = ev(v.value)
                if not isinstance(x, (str, int)) or isinstance(x, bool):
                    return Opaque(node)
                parts.append(str(x))
            else:
                return Opaque(node)
        return "".join(parts)
    if isinstance(node, ast.Subscript):
        base, idx = ev(node.value), ev(node.slice)
        if isinstance(base, (str, tuple, list, dict)) and isinstance(idx, (str, int)) \
                and not isinstance(idx, bool):
            try:
                return base[idx]
            except (KeyError, IndexError, TypeError):
                return Opaque(node)
        return Opaque(node)
    if isinstance(node, ast.IfExp):
        test = ev(node.test)
        if isinstance(test, bool):
            return ev(node.body) if test else ev(node.orelse)
        return Opaque(node)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        a, b = ev(node.left), ev(node.comparators[0])
        if isinstance(a, Opaque) or isinstance(b, Opaque) or \
                not all(isinstance(x, (str, int, float, tuple, list, type(None))) for x in (a, b)):
            return Opaque(node)
        op = node.ops[0]
        try:
            if isinstance(op, ast.Eq):
                return a == b
            if isinstance(op, ast.NotEq):
                return a != b
            if isinstance(op, ast.In):
                return a in b
            if isinstance(op, ast.NotIn):
                return a not in b
            if isinstance(op, ast.Is) and b is None:
                return a is None
            if isinstance(op, ast.IsNot) and b is None:
                return a is not None
        except TypeError:
            return Opaque(node)
        return Opaque(node)
    if isinstance(node, ast.BoolOp):
        vals = [ev(v) for v in node.values]
        if not all(isinstance(v, bool) for v in vals):
            return Opaque(node)
        return all(vals) if isinstance(node.op, ast.And) else any(vals)
    if isinstance(node, ast.UnaryOp):
        v = ev(node.operand)
        if isinstance(node.op, ast.Not) and isinstance(v, bool):
            return not v
        if isinstance(node.op, ast.USub) and isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v
        return Opaque(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = ev(node.left), ev(node.right)
        if (isinstance(a, str) and isinstance(b, str)) or (isinstance(a, tuple) and isinstance(b, tuple)):
            return a + b
        return Opaque(node)
    if isinstance(node, (ast.DictComp, ast.ListComp, ast.GeneratorExp)):
        results: list[Any] = []
        for e in comprehension_envs(node.generators, mod, dict(env), d):
            if isinstance(node, ast.DictComp):
                k = evaluate(node.key, mod, e, d)
                if isinstance(k, Opaque):
                    return Opaque(node)
                results.append((k, evaluate(node.value, mod, e, d)))
            else:
                results.append(evaluate(node.elt, mod, e, d))
        return dict(results) if isinstance(node, ast.DictComp) else results
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        obj = ev(node.func.value)
        args = [ev(a) for a in node.args]
        if node.keywords or any(isinstance(a, Opaque) for a in args):
            return Opaque(node)
        attr = node.func.attr
        if isinstance(obj, dict) and attr in ("items", "keys", "values", "get") and \
                (len(args) == 0 or attr == "get"):
            if attr == "get":
                return obj.get(*args) if 1 <= len(args) <= 2 else Opaque(node)
            return list(getattr(obj, attr)())
        if isinstance(obj, str) and attr in ("split", "rsplit", "replace", "strip", "lower", "upper",
                                             "startswith", "endswith") and \
                all(isinstance(a, (str, int)) for a in args):
            try:
                r = getattr(obj, attr)(*args)
            except (TypeError, ValueError):
                return Opaque(node)
            return list(r) if isinstance(r, list) else r
        return Opaque(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fname = node.func.id
        if fname in ("dict", "PretrainedCfg"):
            out = {}
            if fname == "dict" and node.args:
                if len(node.args) != 1:
                    return Opaque(node)
                first = ev(node.args[0])
                if isinstance(first, list) and all(isinstance(p, tuple) and len(p) == 2 for p in first):
                    first = dict(first)
                if not isinstance(first, dict):
                    return Opaque(node)
                out.update(first)
            elif node.args:
                return Opaque(node)
            for kw in node.keywords:
                val = ev(kw.value)
                if kw.arg is None:
                    if not isinstance(val, dict):
                        return Opaque(node)
                    out.update(val)
                else:
                    out[kw.arg] = val
            return out
        if fname in mod.funcs:
            return call_helper(mod.funcs[fname], node, mod, env, d)
    return Opaque(node)


def bind_target(target: ast.AST, value: Any, env: dict[str, Any]) -> None:
    if isinstance(target, ast.Name):
        env[target.id] = value
    elif isinstance(target, ast.Tuple) and isinstance(value, (tuple, list)) \
            and len(value) == len(target.elts):
        for t, v in zip(target.elts, value):
            bind_target(t, v, env)
    else:
        raise Unsupported(f"comprehension target {ast.unparse(target)} = {value!r}")


def comprehension_envs(gens: list[ast.comprehension], mod: Module, env: dict[str, Any], depth: int):
    """The environments a comprehension's `for ... in ... if ...` clauses produce, in order."""
    if not gens:
        yield env
        return
    g = gens[0]
    if g.is_async:
        raise Unsupported("async comprehension")
    it = evaluate(g.iter, mod, env, depth)
    if isinstance(it, dict):
        it = list(it)
    if not isinstance(it, (list, tuple)):
        raise Unsupported(f"comprehension over a value not known statically: {ast.unparse(g.iter)}")
    for item in it:
        e = dict(env)
        bind_target(g.target, item, e)
        keep = True
        for cond in g.ifs:
            c = evaluate(cond, mod, e, depth)
            if not isinstance(c, bool):
                raise Unsupported(f"comprehension condition not known statically: {ast.unparse(cond)}")
            keep = keep and c
        if keep:
            yield from comprehension_envs(gens[1:], mod, e, depth)


def call_helper(fn: ast.FunctionDef, call: ast.Call, mod: Module, env: dict[str, Any], depth: int) -> Any:
    body = [s for s in fn.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return Opaque(call)
    a = fn.args
    if a.posonlyargs or a.vararg or a.kwonlyargs:
        return Opaque(call)
    params = [p.arg for p in a.args]
    defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
    local: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if len(call.args) > len(params) or any(isinstance(x, ast.Starred) for x in call.args):
        return Opaque(call)
    for p, arg in zip(params, call.args):
        local[p] = evaluate(arg, mod, env, depth + 1)
    for kw in call.keywords:
        val = evaluate(kw.value, mod, env, depth + 1)
        if kw.arg is None:
            if not isinstance(val, dict):
                return Opaque(call)
            items = val.items()
        else:
            items = [(kw.arg, val)]
        for k, v in items:
            if k in params:
                if k in local:
                    raise Unsupported(f"{fn.name}: argument {k} given twice")
                local[k] = v
            elif a.kwarg:
                extra[k] = v
            else:
                return Opaque(call)
    for p in params:
        if p not in local:
            if p not in defaults:
                return Opaque(call)
            local[p] = evaluate(defaults[p], mod, {}, depth + 1)
    if a.kwarg:
        local[a.kwarg.arg] = extra
    return evaluate(body[0].value, mod, local, depth + 1)


def call_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


# --------------------------------------------------------------------------------------------
# mteb
# --------------------------------------------------------------------------------------------

def parse_mteb_source(text: str, path: str, out: Collector, stats: Stats,
                      exclude: Iterable[str] = ()) -> None:
    """ModelMeta(name="org/model", license="...", open_weights=...) calls -> hf entries.

    `name` and `license` must be literals; a `**NAME` argument is followed when NAME is a
    module-level dict display or dict(...) call assigned once, and then only its literal values
    count. open_weights=False marks an API model whose name is not a Hub repository: left out.
    """
    tree = ast.parse(text, filename=path)
    mod = Module(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and call_name(node) == "ModelMeta"):
            continue
        stats.add("ModelMeta calls")
        kw: dict[str, Any] = {}
        opaque_spread = False
        for k in node.keywords:
            if k.arg is None:
                spread = evaluate(k.value, mod)
                if isinstance(spread, dict):
                    stats.add("ModelMeta calls with a **dict spread that was followed")
                    for sk, sv in spread.items():
                        kw.setdefault(sk, ("spread", sv))
                else:
                    opaque_spread = True
            else:
                kw[k.arg] = ("kw", k.value)

        def literal(key: str) -> tuple[bool, Any]:
            if key not in kw:
                return (False, None) if opaque_spread else (True, None)
            how, val = kw[key]
            if how == "spread":
                return (not isinstance(val, Opaque) and not isinstance(val, (dict, list)), val)
            try:
                return True, ast.literal_eval(val)
            except (ValueError, SyntaxError, TypeError):
                return False, Opaque(val)

        ok_name, name = literal("name")
        if not ok_name or not isinstance(name, str):
            stats.add("skipped: ModelMeta name not a literal string")
            continue
        ok_ow, open_weights = literal("open_weights")
        if ok_ow and open_weights is False:
            stats.add("skipped: open_weights=False (API model, name is not a Hub repo)")
            continue
        if exclude and glob_match(name.lower(), exclude):
            stats.add("skipped: name excluded in gen_indexes.toml [mteb]")
            continue
        ok_lic, lic = literal("license")
        if not ok_lic:
            stats.add("skipped: license not a literal")
            stats.unmapped[unmapped_key(lic if isinstance(lic, Opaque) else Opaque(None, "**spread"))] += 1
            continue
        out.add("hf", name, lic)


def read_mteb(wheel: Path, out: Collector, stats: Stats, exclude: Iterable[str] = ()) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = sorted(n for n in z.namelist()
                       if n.startswith("mteb/models/") and n.endswith(".py"))
        for n in names:
            stats.add("files read")
            parse_mteb_source(z.read(n).decode("utf-8"), n, out, stats, exclude)


# --------------------------------------------------------------------------------------------
# timm
# --------------------------------------------------------------------------------------------

# vision_transformer.py's QuickGELU rewrite, exactly as timm 1.0.31 writes it (ast.unparse form).
QUICKGELU_STMTS = (
    "_quick_gelu_cfgs = [n for n, c in default_cfgs.items() if c.get('notes', ()) and "
    "'quickgelu' in c['notes'][0]]",
    "for n in _quick_gelu_cfgs:\n"
    "    c = copy.deepcopy(default_cfgs[n])\n"
    "    if c['hf_hub_id'] == 'timm/':\n"
    "        c['hf_hub_id'] = 'timm/' + n\n"
    "    default_cfgs[n.replace('_clip_', '_clip_quickgelu_')] = c",
)


def apply_quickgelu(cfgs: dict[str, Any]) -> None:
    """What QUICKGELU_STMTS do, on the evaluated dict."""
    names = [n for n, c in cfgs.items()
             if isinstance(c, dict) and isinstance(c.get("notes", ()), (tuple, list))
             and c.get("notes", ()) and isinstance(c["notes"][0], str) and "quickgelu" in c["notes"][0]]
    for n in names:
        c = copy.deepcopy(cfgs[n])
        if c.get("hf_hub_id") == "timm/":
            c["hf_hub_id"] = "timm/" + n
        cfgs[n.replace("_clip_", "_clip_quickgelu_")] = c


def split_model_name_tag(name: str) -> tuple[str, str]:
    """timm/models/_registry.py split_model_name_tag: split at the first '.'."""
    arch, *rest = name.split(".", 1)
    return arch, (rest[0] if rest else "")


def truthy(v: Any) -> bool | None:
    if isinstance(v, Opaque):
        return None
    return bool(v)


def has_weights(cfg: dict[str, Any]) -> bool | None:
    """PretrainedCfg.has_weights: url or file or hf_hub_id. None when unknown."""
    vals = [truthy(cfg.get(k)) for k in ("url", "file", "hf_hub_id")]
    if any(v is True for v in vals):
        return True
    if any(v is None for v in vals):
        return None
    return False


def generate_default_cfgs(cfgs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """timm/models/_registry.py generate_default_cfgs, on plain dicts.

    Returns arch -> {"tags": [tag, ...] (first = default), "cfgs": {tag: cfg}}.
    """
    out: dict[str, dict[str, Any]] = {}
    default_set: set[str] = set()
    for k, v in cfgs.items():
        hw = has_weights(v) is True
        model, tag = split_model_name_tag(k)
        is_default_set = model in default_set
        priority = (hw and not tag) or (tag.endswith("*") and not is_default_set)
        tag = tag.strip("*")
        d = out.setdefault(model, {"tags": collections.deque(), "cfgs": {}, "is_pretrained": False})
        if priority:
            d["tags"].appendleft(tag)
            default_set.add(model)
        elif hw and not d["is_pretrained"]:
            d["tags"].appendleft(tag)
        else:
            d["tags"].append(tag)
        if hw:
            d["is_pretrained"] = True
        d["cfgs"][tag] = v
    return out


EXPLICIT = "__license_written_at_entry__"


def mentions_license(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.keyword) and n.arg == "license":
            return True
        if isinstance(n, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "license"
                                           for k in n.keys):
            return True
    return False


def explicit_license_keys(tree: ast.Module, gen_idx: int, arg: ast.AST) -> set[str]:
    """Keys of the cfg dict display whose own entry writes a license (as opposed to taking the
    default of a helper such as `_cfg`)."""
    display = arg
    if isinstance(arg, ast.Name):
        display = None
        for n in reversed(tree.body[:gen_idx]):
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                    isinstance(n.targets[0], ast.Name) and n.targets[0].id == arg.id:
                display = n.value
                break
    if not isinstance(display, ast.Dict):
        return set()
    return {k.value for k, v in zip(display.keys, display.values)
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and mentions_license(v)}


def decorated_with(fn: ast.FunctionDef, name: str) -> bool:
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if (isinstance(target, ast.Name) and target.id == name) or \
                (isinstance(target, ast.Attribute) and target.attr == name):
            return True
    return False


@dataclass
class TimmModule:
    """What timm's register_model() would register for one module, read statically."""
    pretrained: dict[str, dict[str, Any]]  # model name ('arch' or 'arch.tag') -> resolved cfg
    has_weights: dict[str, bool | None]
    deprecations: dict[str, str | None]


def read_timm_module(text: str, path: str, stats: Stats, known_rewrites: Iterable[str] = ("quickgelu",)
                     ) -> TimmModule | None:
    tree = ast.parse(text, filename=path)
    mod = Module(tree)
    entrypoints = {n.name for n in tree.body
                   if isinstance(n, ast.FunctionDef) and decorated_with(n, "register_model")}

    # find `default_cfgs = generate_default_cfgs(<dict display> | <name>)`
    gen_idx = None
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "default_cfgs" \
                and isinstance(node.value, ast.Call) and call_name(node.value) == "generate_default_cfgs":
            if gen_idx is not None:
                raise Unsupported(f"{path}: default_cfgs generated twice")
            gen_idx = i
    if gen_idx is None:
        return None
    call = tree.body[gen_idx].value
    if len(call.args) != 1 or call.keywords:
        raise Unsupported(f"{path}: generate_default_cfgs call shape")
    arg = call.args[0]
    if not isinstance(arg, ast.Name):
        cfgs = evaluate(arg, mod)  # a dict display, or e.g. a dict comprehension
    else:
        # the dict is built by an earlier `NAME = {...}`; statements in between that touch it
        # must be ones we know
        src_idx = None
        for i in range(gen_idx - 1, -1, -1):
            n = tree.body[i]
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                    isinstance(n.targets[0], ast.Name) and n.targets[0].id == arg.id:
                src_idx = i
                break
        if src_idx is None or not isinstance(tree.body[src_idx].value, ast.Dict):
            raise Unsupported(f"{path}: cannot find the dict passed to generate_default_cfgs")
        cfgs = evaluate(tree.body[src_idx].value, mod)
        between = tree.body[src_idx + 1:gen_idx]
        touching = [n for n in between
                    if any(isinstance(x, ast.Name) and x.id == arg.id for x in ast.walk(n))]
        if touching:
            srcs = tuple(ast.unparse(n) for n in touching)
            if srcs == QUICKGELU_STMTS and arg.id == "default_cfgs" and "quickgelu" in known_rewrites:
                if not isinstance(cfgs, dict):
                    raise Unsupported(f"{path}: cfg dict not evaluable")
                apply_quickgelu(cfgs)
                stats.add("timm: QuickGELU rewrite applied")
            else:
                raise Unsupported(f"{path}: unknown module-level code changes {arg.id} before "
                                  f"generate_default_cfgs:\n" + "\n".join(srcs))
    if not isinstance(cfgs, dict):
        raise Unsupported(f"{path}: default cfgs not evaluable ({cfgs!r})")

    # statements after generate_default_cfgs that touch default_cfgs would be missed
    for n in tree.body[gen_idx + 1:]:
        if any(isinstance(x, ast.Name) and x.id == "default_cfgs" for x in ast.walk(n)) \
                and not isinstance(n, ast.FunctionDef):
            raise Unsupported(f"{path}: default_cfgs changed after generation: {ast.unparse(n)[:80]}")

    explicit = explicit_license_keys(tree, gen_idx, arg)
    for k, v in cfgs.items():
        if isinstance(v, dict):
            v[EXPLICIT] = k in explicit
    if "quickgelu" in known_rewrites:
        for k, v in cfgs.items():  # copies made by the rewrite inherit the original's flag
            if isinstance(v, dict) and "_clip_quickgelu_" in k:
                orig = cfgs.get(k.replace("_clip_quickgelu_", "_clip_"))
                if isinstance(orig, dict):
                    v[EXPLICIT] = orig.get(EXPLICIT, False)

    good: dict[str, Any] = {}
    for k, v in cfgs.items():
        if not isinstance(k, str) or not isinstance(v, dict):
            stats.add("timm: cfg not evaluable (skipped)")
            stats.notes.append(f"{path}: cfg {k!r} not evaluable: {v!r}")
            continue
        good[k] = v
    default_cfgs = generate_default_cfgs(good)

    pretrained: dict[str, dict[str, Any]] = {}
    weights: dict[str, bool | None] = {}
    for arch, dcfg in default_cfgs.items():
        if arch not in entrypoints:
            stats.add("timm: arch with cfgs but no @register_model entrypoint in its file (skipped)")
            stats.notes.append(f"{path}: {arch} has cfgs but no entrypoint")
            continue
        for idx, tag in enumerate(dcfg["tags"]):
            cfg = dict(dcfg["cfgs"][tag])
            name_tag = f"{arch}.{tag}" if tag else arch
            hub = cfg.get("hf_hub_id")
            if isinstance(hub, str) and hub == "timm/":
                cfg["hf_hub_id"] = hub + name_tag  # _registry.register_model auto-completion
            hw = has_weights(cfg)
            if idx == 0:
                pretrained[arch] = cfg
                weights[arch] = hw
            if tag:
                pretrained[name_tag] = cfg
                weights[name_tag] = hw

    deprecations: dict[str, str | None] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and call_name(node.value) == "register_model_deprecations":
            if len(node.value.args) != 2:
                raise Unsupported(f"{path}: register_model_deprecations call shape")
            m = evaluate(node.value.args[1], mod)
            if not isinstance(m, dict):
                raise Unsupported(f"{path}: deprecation map not evaluable")
            deprecations.update(m)
    return TimmModule(pretrained, weights, deprecations)


DEFAULT_OWN_HOSTS = ("timm/", "https://github.com/rwightman/pytorch-image-models/releases/",
                     "https://github.com/huggingface/pytorch-image-models/releases/")


def timm_hosted(cfg: dict[str, Any], own_hosts: Iterable[str]) -> bool:
    """Are the weights this cfg loads published by timm itself (the `timm` Hub org, timm's
    GitHub releases)? The hub id wins over the url, as in _builder._resolve_pretrained_source."""
    hub, url = cfg.get("hf_hub_id"), cfg.get("url")
    loc = hub if isinstance(hub, str) and hub else url if isinstance(url, str) and url else None
    return loc is not None and any(loc.startswith(h) for h in own_hosts)


def timm_entries(modules: dict[str, TimmModule], out: Collector, stats: Stats,
                 own_hosts: Iterable[str] = DEFAULT_OWN_HOSTS) -> None:
    for path, tm in modules.items():
        for name, cfg in tm.pretrained.items():
            hw = tm.has_weights[name]
            if hw is None:
                stats.add("timm: weights location not literal (skipped)")
                continue
            if not hw:
                stats.add("timm: model name without pretrained weights (skipped)")
                continue
            lic = cfg.get("license")
            hub = cfg.get("hf_hub_id")
            if not cfg.get(EXPLICIT) and not timm_hosted(cfg, own_hosts):
                # Weights hosted outside timm (another org's Hub repo, a third-party URL) whose
                # entry does not write a license: the file's default (`_cfg`) is timm's label
                # for its own uploads, not a statement about someone else's repo (davit's
                # microsoft/Florence-2-* would get apache-2.0; those repos say MIT). Left out.
                stats.add("timm: weights outside timm with only the file's default license (left out)")
                continue
            out.add("lib:timm", name, lic)
            if isinstance(hub, str) and hub:
                if hub.endswith("/") or "/" not in hub:
                    stats.add("timm: hf_hub_id not an org/name id (skipped)")
                    stats.notes.append(f"{path}: {name}: hf_hub_id {hub!r}")
                else:
                    out.add("hf", hub, lic)
            elif isinstance(hub, Opaque):
                stats.add("timm: hf_hub_id not literal (skipped)")
        for old, current in tm.deprecations.items():
            if not current:
                stats.add("timm: deprecated name removed without replacement (skipped)")
                continue
            arch, tag = split_model_name_tag(current)
            target = current if tag else arch
            if target not in tm.pretrained:
                stats.add("timm: deprecated name whose target is unknown (skipped)")
                stats.notes.append(f"{path}: deprecated {old} -> {current}: target not found")
                continue
            if tm.has_weights.get(target) is not True:
                stats.add("timm: deprecated name whose target has no weights (skipped)")
                continue
            tcfg = tm.pretrained[target]
            if not tcfg.get(EXPLICIT) and not timm_hosted(tcfg, own_hosts):
                stats.add("timm: weights outside timm with only the file's default license (left out)")
                continue
            stats.add("timm: deprecated names mapped to their current cfg")
            out.add("lib:timm", old, tcfg.get("license"))


def read_timm(wheel: Path, out: Collector, stats: Stats, known_rewrites: Iterable[str],
              own_hosts: Iterable[str] = DEFAULT_OWN_HOSTS) -> None:
    modules: dict[str, TimmModule] = {}
    with zipfile.ZipFile(wheel) as z:
        names = sorted(n for n in z.namelist()
                       if PurePosixPath(n).parent == PurePosixPath("timm/models") and n.endswith(".py"))
        for n in names:
            stats.add("files read")
            tm = read_timm_module(z.read(n).decode("utf-8"), n, stats, known_rewrites)
            if tm is not None:
                stats.add("timm: modules with default_cfgs")
                modules[n] = tm
    timm_entries(modules, out, stats, own_hosts)


# --------------------------------------------------------------------------------------------
# litellm
# --------------------------------------------------------------------------------------------

def glob_match(name: str, patterns: Iterable[str]) -> bool:
    for p in patterns:
        rx = "^" + ".*".join(re.escape(part) for part in p.lower().split("*")) + "$"
        if re.match(rx, name, re.S):
            return True
    return False


def map_litellm(data: dict[str, Any], cfg: dict[str, Any], licenses: LicenseTable,
                out: Collector, stats: Stats) -> None:
    rules = cfg.get("rule", [])
    skip_segments = [re.compile(r) for r in cfg.get("skip_segments", [])]
    skip_modes = set(cfg.get("skip_modes", []))
    known = licenses.ids()
    for r in rules:
        if r["license"] not in known:
            msg = f"litellm rule for {r.get('vendor')}: license {r['license']!r} not in rules/licenses; rule unused"
            print("warning: " + msg, file=sys.stderr)
            stats.notes.append(msg)
    unmapped_by_provider: collections.Counter = collections.Counter()
    for key, spec in data.items():
        if not isinstance(spec, dict):
            stats.add("litellm: non-object value (skipped)")
            continue
        provider = spec.get("litellm_provider")
        if key == "sample_spec":
            continue
        if not isinstance(provider, str):
            stats.add("litellm: no litellm_provider (left out)")
            continue
        if spec.get("mode") in skip_modes:
            stats.add("litellm: mode not a model call (left out)")
            continue
        segments = key.split("/")
        if any(rx.search(s) for s in segments for rx in skip_segments):
            stats.add("litellm: pricing-variant key (left out)")
            continue
        model = segments[-1].lower()
        licenses_hit = set()
        for r in rules:
            if provider in r["providers"] and glob_match(model, r["models"]) \
                    and not glob_match(model, r.get("exclude", [])):
                licenses_hit.add(r["license"])
        if not licenses_hit:
            unmapped_by_provider[provider] += 1
            stats.add("litellm: provider/name not mapped (left out)")
            continue
        if len(licenses_hit) > 1:
            msg = f"litellm: {key} matched rules with licenses {sorted(licenses_hit)}; dropped"
            print(msg, file=sys.stderr)
            stats.notes.append(msg)
            stats.add("litellm: matched several licenses (dropped)")
            continue
        lid = next(iter(licenses_hit))
        if lid not in known:
            stats.unmapped[lid] += 1
            stats.add("left out (api): license not a known id")
            continue
        out.add("api", key, lid, already_id=True)
    stats.unmapped_providers = unmapped_by_provider


def read_litellm(wheel: Path, cfg: dict[str, Any], licenses: LicenseTable, out: Collector,
                 stats: Stats) -> None:
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read("litellm/model_prices_and_context_window_backup.json"))
    stats.add("files read")
    map_litellm(data, cfg, licenses, out, stats)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_input(src: dict[str, Any], cache: Path, offline: bool = False) -> Path:
    """The pinned file, from the cache or downloaded with pip/npm; sha256 checked either way."""
    target = cache / src["filename"]
    if target.is_file() and sha256_of(target) == src["sha256"]:
        return target
    if offline:
        raise SystemExit(f"error: {target} missing or wrong sha256 (offline)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        if src["registry"] == "pypi":
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
                   "--disable-pip-version-check", "-q", *src.get("pip_args", []),
                   f"{src['package']}=={src['version']}", "-d", tmp]
        elif src["registry"] == "npm":
            cmd = ["npm", "pack", "--silent", f"{src['package']}@{src['version']}",
                   "--pack-destination", tmp]
        else:
            raise SystemExit(f"error: unknown registry {src['registry']!r}")
        print("fetching: " + " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        got = Path(tmp) / src["filename"]
        if not got.is_file():
            raise SystemExit(f"error: download did not produce {src['filename']}: "
                             f"{sorted(os.listdir(tmp))}")
        digest = sha256_of(got)
        if digest != src["sha256"]:
            raise SystemExit(f"error: sha256 of {src['filename']} is {digest}, pinned {src['sha256']}")
        os.replace(got, target)
    return target


def wheel_license(wheel: Path) -> str | None:
    with zipfile.ZipFile(wheel) as z:
        meta = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        if not meta:
            return None
        text = z.read(meta[0]).decode("utf-8", "replace")
    for key in ("License-Expression", "License"):
        m = re.search(rf"^{key}: (.+)$", text, re.M)
        if m:
            return m.group(1).strip()
    return None


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

SOURCES = ("mteb", "timm", "litellm")


def git_tracked(folder: Path) -> set[str] | None:
    """Names of the files in `folder` that git tracks (committed or staged); None outside git."""
    try:
        r = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=folder, capture_output=True,
                           check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return {Path(n).name for n in r.stdout.decode("utf-8").split("\0") if n and "/" not in n}


def load_licenses(config: dict[str, Any], root: Path, licenses_dir: Path | None) -> LicenseTable:
    """rules/licenses/*.toml as git tracks them (a row must never name a license file that is not
    committed: the engine refuses to load it), or every file of an explicit --licenses DIR."""
    if licenses_dir is not None:
        return LicenseTable.load(licenses_dir)
    folder = root / config["licenses_dir"]
    tracked = git_tracked(folder)
    if tracked is not None:
        untracked = sorted(p.name for p in folder.glob("*.toml") if p.name not in tracked)
        if untracked:
            print(f"note: ignoring license files git does not track (git add them to use them): "
                  f"{', '.join(untracked)}", file=sys.stderr)
    return LicenseTable.load(folder, tracked)


def generate(config: dict[str, Any], root: Path, out_dir: Path, offline: bool = False,
             quiet: bool = False, licenses_dir: Path | None = None) -> dict[str, Stats]:
    licenses = load_licenses(config, root, licenses_dir)
    cache = root / config["cache_dir"]
    out_dir.mkdir(parents=True, exist_ok=True)
    all_stats: dict[str, Stats] = {}
    for name in SOURCES:
        src = config["sources"][name]
        wheel = fetch_input(src, cache, offline)
        declared = wheel_license(wheel)
        if declared and declared != src["license_of_data"]:
            print(f"warning: {name}: METADATA says license {declared!r}, config says "
                  f"{src['license_of_data']!r}", file=sys.stderr)
        stats = Stats()
        col = Collector(licenses, stats)
        if name == "mteb":
            read_mteb(wheel, col, stats, config.get("mteb", {}).get("exclude", []))
        elif name == "timm":
            tcfg = config.get("timm", {})
            read_timm(wheel, col, stats, tcfg.get("known_rewrites", []),
                      tcfg.get("own_hosts", DEFAULT_OWN_HOSTS))
        elif name == "litellm":
            read_litellm(wheel, config["litellm"], licenses, col, stats)
        rows = col.finish()
        for kind, _, _ in rows:
            stats.add(f"rows {kind}")
        header = [
            ("source", name),
            ("package", f"{src['registry']}:{src['package']}=={src['version']}"),
            ("sha256", src["sha256"]),
            ("file", src["file"]),
            ("url", src["url"]),
            ("imported", config["imported"]),
            ("license-of-data", src["license_of_data"]),
        ]
        with open(out_dir / f"{name}.tsv", "w", encoding="utf-8", newline="\n") as f:
            f.write(render(header, rows))
        all_stats[name] = stats
        if not quiet:
            print_stats(name, stats)
    return all_stats


def print_stats(name: str, stats: Stats) -> None:
    print(f"== {name}")
    for k, v in sorted(stats.counts.items()):
        print(f"  {k}: {v}")
    if stats.unmapped:
        print("  unmapped license values (left out):")
        for v, n in stats.unmapped.most_common():
            print(f"    {n:6d}  {v}")
    if stats.unmapped_providers:
        top = ", ".join(f"{p} {n}" for p, n in stats.unmapped_providers.most_common(15))
        print(f"  keys left out, by litellm_provider (top 15 of {len(stats.unmapped_providers)}): {top}")


def diff_summary(old: str, new: str) -> str:
    def rows(t: str) -> set[str]:
        return {l for l in t.splitlines() if l and not l.startswith("#")}
    o, n = rows(old), rows(new)
    added, removed = sorted(n - o), sorted(o - n)
    hdr_o = [l for l in old.splitlines() if l.startswith("#")]
    hdr_n = [l for l in new.splitlines() if l.startswith("#")]
    parts = [f"+{len(added)} rows, -{len(removed)} rows"]
    if hdr_o != hdr_n:
        parts.append("header differs")
    lines = ["; ".join(parts)]
    lines += [f"    + {l}" for l in added[:10]]
    lines += [f"    - {l}" for l in removed[:10]]
    if len(added) > 10 or len(removed) > 10:
        lines.append("    ...")
    return "\n".join(lines)


BEGIN, END = "<!-- counts: begin (written by scripts/gen_indexes.py) -->", "<!-- counts: end -->"


def counts_block(config: dict[str, Any], all_stats: dict[str, Stats]) -> str:
    """The part of rules/generated/README.md that the generator keeps up to date."""
    lines = [BEGIN, "", "| file | package | rows | license of the data |", "|---|---|---|---|"]
    for name in SOURCES:
        src, st = config["sources"][name], all_stats[name]
        rows = ", ".join(f"{st.counts[k]} `{k[5:]}`" for k in sorted(st.counts) if k.startswith("rows "))
        lines.append(f"| `{name}.tsv` | `{src['registry']}:{src['package']}=={src['version']}` | "
                     f"{rows or 'none'} | {src['license_of_data']} |")
    lines += ["", f"Imported {config['imported']}. License values left out (not an id or alias of "
                  "`rules/licenses/`), most frequent first; a timm cfg counts once per row it "
                  "would have given (`lib:timm` and `hf`):", ""]
    for name in SOURCES:
        st = all_stats[name]
        if st.unmapped_providers:
            top = ", ".join(f"{p} {n}" for p, n in st.unmapped_providers.most_common(8))
            lines.append(f"* {name}: {sum(st.unmapped_providers.values())} keys no rule of "
                         f"`[litellm]` maps (by provider: {top}, ...)")
        if not st.unmapped:
            continue
        top = st.unmapped.most_common()
        urls = [(v, n) for v, n in top if v.startswith(("http://", "https://"))]
        rest = [(v, n) for v, n in top if not v.startswith(("http://", "https://"))]
        text = ", ".join(f"`{v}` {n}" for v, n in rest[:12])
        if len(rest) > 12:
            text += f", {len(rest) - 12} more"
        if urls:
            text += (f"{', ' if text else ''}{sum(n for _, n in urls)} occurrences of "
                     f"{len(urls)} license URLs")
        lines.append(f"* {name}: {text}")
    lines += ["", END]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str | None:
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        return None
    return text[:i] + block + text[j + len(END):]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and exit 1 if a committed file differs")
    ap.add_argument("--offline", action="store_true", help="never download; use the cache only")
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--licenses", type=Path, default=None, metavar="DIR",
                    help="read license ids and aliases from every *.toml in DIR (default: the "
                         "files of rules/licenses that git tracks)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    with open(args.config, "rb") as f:
        config = tomllib.load(f)
    committed = ROOT / config["out_dir"]
    readme = committed / "README.md"
    if not args.check:
        all_stats = generate(config, ROOT, committed, offline=args.offline, quiet=args.quiet,
                             licenses_dir=args.licenses)
        if readme.is_file():
            new = replace_block(readme.read_text(encoding="utf-8"), counts_block(config, all_stats))
            if new is None:
                print(f"warning: {readme.relative_to(ROOT)} has no counts block", file=sys.stderr)
            else:
                with open(readme, "w", encoding="utf-8", newline="\n") as f:
                    f.write(new)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        all_stats = generate(config, ROOT, Path(tmp), offline=args.offline, quiet=True,
                             licenses_dir=args.licenses)
        drift = False
        if readme.is_file():
            old = readme.read_text(encoding="utf-8")
            if replace_block(old, counts_block(config, all_stats)) != old:
                drift = True
                print(f"drift: {readme.relative_to(ROOT)}: the counts block differs")
        for name in SOURCES:
            new = (Path(tmp) / f"{name}.tsv").read_text(encoding="utf-8")
            path = committed / f"{name}.tsv"
            old = path.read_text(encoding="utf-8") if path.is_file() else ""
            if old != new:
                drift = True
                print(f"drift: {path.relative_to(ROOT)}: {diff_summary(old, new)}")
        if drift:
            print("run `python3 scripts/gen_indexes.py` and commit rules/generated/")
            return 1
        print("rules/generated is up to date")
        return 0


if __name__ == "__main__":
    sys.exit(main())
