"""Tests of scripts/gen_indexes.py.

    python3 -m pytest tests/generated        (if pytest is installed)
    python3 tests/generated/test_gen_indexes.py

The parser tests use small inline snippets; the last test runs `gen_indexes.py --check --offline`
when the pinned inputs are in target/gen-inputs/ (otherwise it is skipped).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
import tomllib
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside scripts/gen_indexes.py

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_indexes.py"

_spec = importlib.util.spec_from_file_location("gen_indexes", SCRIPT)
gi = importlib.util.module_from_spec(_spec)
sys.modules["gen_indexes"] = gi
_spec.loader.exec_module(gi)


def skip(msg: str) -> None:
    try:
        import pytest  # type: ignore
    except ImportError:
        raise unittest.SkipTest(msg)
    pytest.skip(msg)


LICENSES = gi.LicenseTable({
    "apache-2.0": "apache-2.0", "apache 2.0": "apache-2.0",
    "mit": "mit", "mit license": "mit",
    "bsd-3-clause": "bsd-3-clause",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "proprietary-openai": "proprietary-openai",
    "proprietary-anthropic": "proprietary-anthropic",
    "proprietary-google": "proprietary-google",
})


def fresh():
    stats = gi.Stats()
    return gi.Collector(LICENSES, stats), stats


# ------------------------------------------------------------------ licenses

def test_license_table_reads_ids_and_aliases():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d)
        (p / "a.toml").write_text('id = "apache-2.0"\naliases = ["Apache 2.0", "apache2"]\n')
        (p / "b.toml").write_text('id = "x-license"\naliases = ["apache2"]\n')  # ambiguous alias
        t = gi.LicenseTable.load(p)
    assert t.resolve("Apache-2.0") == "apache-2.0"
    assert t.resolve(" APACHE 2.0 ") == "apache-2.0"
    assert t.resolve("apache2") is None  # alias of two licenses: not used
    assert t.resolve("x-license") == "x-license"
    assert t.resolve(None) is None


# ------------------------------------------------------------------ mteb

MTEB_SNIPPET = textwrap.dedent('''
    from mteb.models.model_meta import ModelMeta
    model_license = "mit"
    _COMMON = dict(license="apache-2.0", open_weights=True, revision=None)

    literal = ModelMeta(name="BAAI/bge-m3", license="mit", open_weights=True, revision="abc")
    variable = ModelMeta(name="org/var-license", license=model_license, open_weights=True)
    spread = ModelMeta(name="org/spread", **_COMMON)
    api = ModelMeta(name="openai/text-embedding-3-small", license="mit", open_weights=False)
    other = ModelMeta(name="org/other", license="other", open_weights=True)
    none = ModelMeta(name="org/none", license=None, open_weights=True)
    alias = ModelMeta(name="org/alias", license="MIT License", open_weights=True)
    base = ModelMeta(name="mteb/baseline-random", license="mit", open_weights=True)
''')


def test_mteb_literal_variable_spread_api_and_unmapped():
    col, stats = fresh()
    gi.parse_mteb_source(MTEB_SNIPPET, "x.py", col, stats, exclude=["mteb/baseline-*"])
    rows = col.finish()
    assert rows == [
        ("hf", "BAAI/bge-m3", "mit"),
        ("hf", "org/alias", "mit"),
        ("hf", "org/spread", "apache-2.0"),
    ], rows
    assert stats.counts["skipped: license not a literal"] == 1  # license=model_license
    assert stats.counts["skipped: open_weights=False (API model, name is not a Hub repo)"] == 1
    assert stats.counts["skipped: name excluded in gen_indexes.toml [mteb]"] == 1
    assert stats.unmapped["other"] == 1
    assert stats.unmapped["None"] == 1
    assert stats.unmapped["<non-literal: model_license>"] == 1


def test_mteb_non_literal_name_is_skipped():
    col, stats = fresh()
    gi.parse_mteb_source('ModelMeta(name=f"org/{x}", license="mit")', "y.py", col, stats)
    assert col.finish() == []
    assert stats.counts["skipped: ModelMeta name not a literal string"] == 1


# ------------------------------------------------------------------ timm

TIMM_SNIPPET = textwrap.dedent('''
    from ._registry import generate_default_cfgs, register_model, register_model_deprecations

    def _cfg(url='', **kwargs):
        return {
            'url': url, 'num_classes': 1000, 'mean': IMAGENET_DEFAULT_MEAN,
            'license': 'apache-2.0', **kwargs
        }

    def _tcfg(url='', **kwargs):
        return _cfg(url=url, **dict({'interpolation': 'bicubic'}, **kwargs))

    default_cfgs = generate_default_cfgs({
        'resnet50.a1_in1k': _tcfg(hf_hub_id='timm/'),
        'resnet50.tv_in1k': _cfg(url='https://download.pytorch.org/r50.pth', license='bsd-3-clause'),
        'resnet50.untrained': _cfg(),
        'resnet18.fb_ssl': _cfg(hf_hub_id='timm/', license='cc-by-nc-4.0'),
        'resnet18.a1_in1k*': _cfg(hf_hub_id='timm/'),
        'mystery.other': _cfg(hf_hub_id='org/explicit-repo', license='other'),
        'orphan.x': _cfg(hf_hub_id='timm/'),
        'florence.msft': _cfg(hf_hub_id='microsoft/Florence-2-base'),
        'thirdparty.x': _cfg(hf_hub_id='org/repo', license='mit'),
        'relnet.in1k': _cfg(url='https://github.com/rwightman/pytorch-image-models/releases/download/v0.1/r.pth'),
    })

    @register_model
    def florence(pretrained=False, **kwargs):
        pass

    @register_model
    def thirdparty(pretrained=False, **kwargs):
        pass

    @register_model
    def relnet(pretrained=False, **kwargs):
        pass

    @register_model
    def resnet50(pretrained=False, **kwargs):
        pass

    @register_model
    def resnet18(pretrained=False, **kwargs):
        pass

    @register_model
    def mystery(pretrained=False, **kwargs):
        pass

    register_model_deprecations(__name__, {
        'tv_resnet50': 'resnet50.tv_in1k',
        'gone_resnet': None,
    })
''')


def timm_rows(src: str):
    col, stats = fresh()
    tm = gi.read_timm_module(src, "timm/models/x.py", stats)
    gi.timm_entries({"x": tm}, col, stats)
    return col.finish(), stats, tm


def test_timm_cfg_default_license_hub_ids_and_default_tags():
    rows, stats, tm = timm_rows(TIMM_SNIPPET)
    assert rows == [
        ("hf", "org/repo", "mit"),                       # another org's repo, license written at the entry
        ("hf", "timm/resnet18.a1_in1k", "apache-2.0"),
        ("hf", "timm/resnet18.fb_ssl", "cc-by-nc-4.0"),
        ("hf", "timm/resnet50.a1_in1k", "apache-2.0"),
        ("lib:timm", "relnet", "apache-2.0"),            # timm's GitHub releases: default trusted
        ("lib:timm", "relnet.in1k", "apache-2.0"),
        ("lib:timm", "resnet18", "apache-2.0"),          # '*' marks the default tag
        ("lib:timm", "resnet18.a1_in1k", "apache-2.0"),
        ("lib:timm", "resnet18.fb_ssl", "cc-by-nc-4.0"),
        ("lib:timm", "resnet50", "apache-2.0"),          # first tag with weights is the default
        ("lib:timm", "resnet50.a1_in1k", "apache-2.0"),
        ("lib:timm", "resnet50.tv_in1k", "bsd-3-clause"),  # url only: no hf row
        ("lib:timm", "thirdparty", "mit"),
        ("lib:timm", "thirdparty.x", "mit"),
        ("lib:timm", "tv_resnet50", "bsd-3-clause"),     # deprecated name -> current cfg
    ], rows
    # microsoft/Florence-2-base with only _cfg's default license: no row at all (2 names)
    assert not any("lorence" in r[1] for r in rows)
    assert stats.counts["timm: weights outside timm with only the file's default license (left out)"] == 2
    # the helper chain _tcfg -> _cfg was followed and the hub id completed
    assert tm.pretrained["resnet50.a1_in1k"]["interpolation"] == "bicubic"
    assert tm.pretrained["resnet50"]["hf_hub_id"] == "timm/resnet50.a1_in1k"
    assert stats.counts["timm: model name without pretrained weights (skipped)"] == 1  # .untrained
    assert stats.counts["timm: arch with cfgs but no @register_model entrypoint in its file (skipped)"] == 1
    assert stats.counts["timm: deprecated name removed without replacement (skipped)"] == 1
    # license 'other' is no license id: `mystery` and `mystery.other` give no lib row and no hf row
    assert stats.unmapped["other"] == 4
    assert not any("mystery" in r[1] or "explicit" in r[1] for r in rows)


def test_timm_untagged_key_with_weights_is_default():
    src = textwrap.dedent('''
        def _cfg(url='', **kwargs):
            return {'url': url, **kwargs}
        default_cfgs = generate_default_cfgs({
            'net.first': _cfg(hf_hub_id='timm/', license='mit'),
            'net': _cfg(url='https://x/net.pth', license='apache-2.0'),
        })
        @register_model
        def net(): pass
    ''')
    rows, _, _ = timm_rows(src)
    assert ("lib:timm", "net", "apache-2.0") in rows
    assert ("lib:timm", "net.first", "mit") in rows


def test_timm_quickgelu_rewrite_and_unknown_rewrite():
    src = textwrap.dedent('''
        import copy
        def _cfg(url='', **kwargs):
            return {'url': url, 'license': 'apache-2.0', **kwargs}
        default_cfgs = {
            'vit_b_clip_224.openai': _cfg(hf_hub_id='timm/', notes=('natively QuickGELU, use quickgelu model',)),
            'vit_b_clip_224.laion': _cfg(hf_hub_id='timm/'),
        }
    ''') + "\n".join(gi.QUICKGELU_STMTS) + textwrap.dedent('''
        default_cfgs = generate_default_cfgs(default_cfgs)
        @register_model
        def vit_b_clip_224(): pass
        @register_model
        def vit_b_clip_quickgelu_224(): pass
    ''')
    rows, stats, _ = timm_rows(src)
    assert ("lib:timm", "vit_b_clip_quickgelu_224.openai", "apache-2.0") in rows
    assert ("lib:timm", "vit_b_clip_quickgelu_224", "apache-2.0") in rows
    # the copy keeps the hub id of the original name
    assert ("hf", "timm/vit_b_clip_224.openai", "apache-2.0") in rows
    assert not any("quickgelu" in r[1] for r in rows if r[0] == "hf")
    assert stats.counts["timm: QuickGELU rewrite applied"] == 1

    bad = src.replace("'_clip_quickgelu_'", "'_clip_qg_'")
    try:
        timm_rows(bad)
    except gi.Unsupported:
        pass
    else:
        raise AssertionError("an unknown rewrite of default_cfgs must fail loudly")


def test_timm_dict_comprehension():
    src = textwrap.dedent('''
        def _cfg(url='', **kwargs):
            return {'url': url, 'license': 'mit', **kwargs}
        _SRC = {
            'enc.v1': _cfg(hf_hub_id='vendor/Enc-V1', extra=1),
        }
        default_cfgs = generate_default_cfgs({
            f'{name.split(".", 1)[0]}{suffix}.{name.split(".", 1)[1]}': dict(
                ((k, v) for k, v in cfg.items() if k not in ('extra',)),
                hf_hub_id='timm/',
            )
            for name, cfg in _SRC.items()
            for suffix in ('', '_big')
        })
        @register_model
        def enc(): pass
        @register_model
        def enc_big(): pass
    ''')
    rows, _, _ = timm_rows(src)
    assert ("hf", "timm/enc.v1", "mit") in rows
    assert ("hf", "timm/enc_big.v1", "mit") in rows
    assert ("lib:timm", "enc_big", "mit") in rows
    assert not any(r[1] == "vendor/Enc-V1" for r in rows)


# ------------------------------------------------------------------ litellm

LITELLM_CFG = {
    "skip_segments": [r"^\d+-x-\d+$", r"^(hd|standard|low|medium|high)$"],
    "skip_modes": ["search"],
    "rule": [
        {"vendor": "OpenAI", "license": "proprietary-openai", "providers": ["openai"],
         "models": ["*"], "exclude": ["gpt-oss*"]},
        {"vendor": "OpenAI", "license": "proprietary-openai", "providers": ["azure"],
         "models": ["gpt-*"], "exclude": ["gpt-oss*"]},
        {"vendor": "Anthropic", "license": "proprietary-anthropic", "providers": ["bedrock"],
         "models": ["anthropic.claude-*", "*.anthropic.claude-*"], "exclude": []},
        {"vendor": "Google", "license": "proprietary-google", "providers": ["gemini"],
         "models": ["gemini-*"], "exclude": ["*gemma*"]},
        {"vendor": "Nobody", "license": "proprietary-nobody", "providers": ["nobody"],
         "models": ["*"], "exclude": []},
    ],
}

LITELLM_JSON = {
    "sample_spec": {"litellm_provider": "one of ...", "mode": "chat"},
    "gpt-4o-2024-08-06": {"litellm_provider": "openai", "mode": "chat"},
    "gpt-oss-20b": {"litellm_provider": "openai", "mode": "chat"},
    "low/1024-x-1024/gpt-image-1": {"litellm_provider": "openai", "mode": "image_generation"},
    "azure/gpt-4o": {"litellm_provider": "azure", "mode": "chat"},
    "azure/mistral-large-latest": {"litellm_provider": "azure", "mode": "chat"},
    "bedrock/us-east-1/anthropic.claude-v2:1": {"litellm_provider": "bedrock", "mode": "chat"},
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0": {"litellm_provider": "bedrock", "mode": "chat"},
    "meta.llama3-8b-instruct-v1:0": {"litellm_provider": "bedrock", "mode": "chat"},
    "gemini/gemini-2.0-flash": {"litellm_provider": "gemini", "mode": "chat"},
    "gemini/gemini-gemma-2-9b-it": {"litellm_provider": "gemini", "mode": "chat"},
    "together_ai/some-model": {"litellm_provider": "together_ai", "mode": "chat"},
    "openai/search": {"litellm_provider": "openai", "mode": "search"},
    "nobody/x": {"litellm_provider": "nobody", "mode": "chat"},
    "orphan-latest": {"mode": "chat"},
}


def test_litellm_provider_mapping():
    col, stats = fresh()
    gi.map_litellm(json.loads(json.dumps(LITELLM_JSON)), LITELLM_CFG, LICENSES, col, stats)
    rows = col.finish()
    assert rows == [
        ("api", "azure/gpt-4o", "proprietary-openai"),
        ("api", "bedrock/us-east-1/anthropic.claude-v2:1", "proprietary-anthropic"),
        ("api", "gemini/gemini-2.0-flash", "proprietary-google"),
        ("api", "gpt-4o-2024-08-06", "proprietary-openai"),
        ("api", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "proprietary-anthropic"),
    ], rows
    assert stats.counts["litellm: pricing-variant key (left out)"] == 1
    assert stats.counts["litellm: mode not a model call (left out)"] == 1
    assert stats.counts["litellm: no litellm_provider (left out)"] == 1
    # gpt-oss, azure mistral, bedrock llama, gemma, together_ai
    assert stats.counts["litellm: provider/name not mapped (left out)"] == 5
    assert stats.unmapped_providers["bedrock"] == 1
    # a rule whose license is not in rules/licenses maps nothing
    assert stats.unmapped["proprietary-nobody"] == 1
    assert any("proprietary-nobody" in n for n in stats.notes)


# ------------------------------------------------------------------ collector and output

def test_unmapped_license_left_out_and_duplicates():
    col, stats = fresh()
    col.add("hf", "org/a", "mit")
    col.add("hf", "org/a", "MIT License")          # same license via an alias: kept once
    col.add("hf", "org/b", "mit")
    col.add("hf", "org/b", "apache-2.0")           # conflict: dropped
    col.add("hf", "org/c", "not specified")        # unmapped: left out
    col.add("hf", "org/d", "https://example.com/LICENSE")
    col.add("lib:timm", "org/b", "mit")            # other kind: independent
    rows = col.finish()
    assert rows == [("hf", "org/a", "mit"), ("lib:timm", "org/b", "mit")], rows
    assert stats.counts["dropped: same kind+id with different licenses"] == 1
    assert stats.unmapped == {"not specified": 1, "https://example.com/LICENSE": 1}


def test_ids_equal_under_engine_folding_must_agree():
    col, stats = fresh()
    col.add("lib:timm", "vit_b.x", "mit")
    col.add("lib:timm", "VIT-B.x", "apache-2.0")   # same engine key (case, _ as -): both dropped
    col.add("hf", "Org/Same_Name", "mit")
    col.add("hf", "org/same-name", "mit")          # same key, same license: both kept
    col.add("api", "GPT-X", "mit")
    col.add("api", "gpt-x", "apache-2.0")          # API names keep their case: distinct
    rows = col.finish()
    # sorted by (kind, id lowercased), ties by the id itself
    assert rows == [("api", "GPT-X", "mit"), ("api", "gpt-x", "apache-2.0"),
                    ("hf", "org/same-name", "mit"), ("hf", "Org/Same_Name", "mit")], rows
    assert stats.counts["dropped: same kind+id with different licenses"] == 2


def test_render_format_and_sort_order():
    col, _ = fresh()
    for kind, ident in [("lib:timm", "b"), ("hf", "b/x"), ("api", "Zeta"), ("api", "alpha"), ("hf", "A/y")]:
        col.add(kind, ident, "mit")
    text = gi.render([("source", "s"), ("imported", "2026-12-05")], col.finish())
    assert text == (
        "# generated by scripts/gen_indexes.py; do not edit by hand\n"
        "# source: s\n"
        "# imported: 2026-12-05\n"
        "kind\tid\tlicense\n"
        "api\talpha\tmit\n"
        "api\tZeta\tmit\n"
        "hf\tA/y\tmit\n"
        "hf\tb/x\tmit\n"
        "lib:timm\tb\tmit\n"
    ), text


def test_config_is_consistent():
    with open(ROOT / "scripts" / "gen_indexes.toml", "rb") as f:
        cfg = tomllib.load(f)
    assert set(cfg["sources"]) == set(gi.SOURCES)
    for name, src in cfg["sources"].items():
        assert len(src["sha256"]) == 64, name
        assert src["version"] in src["filename"] and src["version"] in src["url"], name
    known = gi.LicenseTable.load(ROOT / cfg["licenses_dir"]).ids()
    for rule in cfg["litellm"]["rule"]:
        assert rule["license"] in known, rule
        assert rule["providers"] and rule["models"], rule


def test_committed_files_match_generator():
    """`--check` against the committed rules/generated/ (needs the pinned inputs in the cache)."""
    with open(ROOT / "scripts" / "gen_indexes.toml", "rb") as f:
        cfg = tomllib.load(f)
    cache = ROOT / cfg["cache_dir"]
    for src in cfg["sources"].values():
        p = cache / src["filename"]
        if not p.is_file() or gi.sha256_of(p) != src["sha256"]:
            skip(f"pinned input {src['filename']} not in {cache}; run scripts/gen_indexes.py once")
    r = subprocess.run([sys.executable, str(SCRIPT), "--check", "--offline"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _main() -> int:
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    failed = skipped = 0
    for name, fn in tests:
        try:
            fn()
        except unittest.SkipTest as e:
            skipped += 1
            print(f"SKIP {name}: {e}")
        except Exception as e:  # noqa: BLE001
            failed += 1
            import traceback
            traceback.print_exc()
            print(f"FAIL {name}: {e!r}")
        else:
            print(f"ok   {name}")
    print(f"{len(tests) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(_main())
