//! Policy tests, as two tables: files that must be refused (with line and key), and
//! what a policy makes of a model (codes and severities).

mod clock;
use clock::thread_clock;
use std::path::Path;

use fineprint::findings::evaluate;
use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;
use fineprint::resolve::resolve_str;

fn kb() -> KnowledgeBase {
    KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}"))
}

/// (file name, text, expected line, expected key path, text the message must contain):
/// one row per kind of error. Arrays of tables are indexed from 0; an entry of a list
/// of strings is named by its list.
const REFUSED: &[(&str, &str, usize, &str, &str)] = &[
    // Unknown keys, missing fields, duplicate keys.
    (
        "fineprint.toml",
        "usr = \"commercial\"\n",
        1,
        "usr",
        "unknown field `usr`",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"a/*\"\nreason = \"r\"\n\n[[exceptions]]\nmodel = \"b/*\"\nreason = \"r\"\nexpire = 2027-01-01\n",
        8,
        "exceptions[1].expire",
        "unknown field `expire`",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x/*\"\n",
        1,
        "exceptions[0].reason",
        "missing field `reason`",
    ),
    (
        "fineprint.toml",
        "use = \"commercial\"\nuse = \"internal\"\n",
        2,
        "use",
        "duplicate key",
    ),
    (
        "fineprint.toml",
        "[severity]\nnon-commercial = \"off\"\nnon-commercial = \"hint\"\n",
        3,
        "severity.non-commercial",
        "duplicate key",
    ),
    // Wrong types.
    (
        "fineprint.toml",
        "use = \"commercial\"\nmonthly_active_users = \"many\"\n",
        2,
        "monthly_active_users",
        "expected a whole number (e.g. 10_000_000), found string \"many\"",
    ),
    (
        "fineprint.toml",
        "monthly_active_users = -5\n",
        1,
        "monthly_active_users",
        "found integer `-5`",
    ),
    (
        "fineprint.toml",
        "annual_revenue_usd = 1.5e6\n",
        1,
        "annual_revenue_usd",
        "expected a whole number",
    ),
    (
        "fineprint.toml",
        "use = 5\n",
        1,
        "use",
        "expected a string, found `5`",
    ),
    (
        "fineprint.toml",
        "regions = \"EU\"\n",
        1,
        "regions",
        "expected a list (e.g. [\"apache-2.0\"]), found string \"EU\"",
    ),
    (
        "fineprint.toml",
        "allow = [\"apache-2.0\",\n  5]\n",
        2,
        "allow",
        "expected a string, found integer `5`",
    ),
    (
        "fineprint.toml",
        "rules = true\n",
        1,
        "rules",
        "expected a string, found boolean `true`",
    ),
    (
        "fineprint.toml",
        "exceptions = 3\n",
        1,
        "exceptions",
        "expected a list",
    ),
    (
        "fineprint.toml",
        "[exceptions]\nmodel = \"x\"\n",
        1,
        "exceptions",
        "expected a list (e.g. [\"apache-2.0\"]), found table",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = 5\nreason = \"r\"\n",
        2,
        "exceptions[0].model",
        "expected a string, found integer `5`",
    ),
    (
        "fineprint.toml",
        "severity = [\"off\"]\n",
        1,
        "severity",
        "expected a table, found list",
    ),
    // Bad values.
    (
        "fineprint.toml",
        "use = \"business\"\n",
        1,
        "use",
        "unknown variant `business`",
    ),
    (
        "fineprint.toml",
        "[severity]\nnon-commercial = \"loud\"\n",
        2,
        "severity.non-commercial",
        "unknown variant `loud`",
    ),
    (
        "fineprint.toml",
        "[severity]\nnon-comercial = \"warning\"\n",
        2,
        "severity.non-comercial",
        "unknown finding code \"non-comercial\"",
    ),
    (
        "fineprint.toml",
        "regions = [\"EU\", \"Europe\"]\n",
        1,
        "regions",
        "found \"Europe\"",
    ),
    // Regions: only `EU` and assigned ISO 3166-1 alpha-2 codes, in capitals.
    (
        "fineprint.toml",
        "use = \"commercial\"\nregions = [\"DE\", \"ZZ\"]\n",
        2,
        "regions",
        "such as `DE`, found \"ZZ\"",
    ),
    (
        "fineprint.toml",
        "regions = [\"JJ\"]\n",
        1,
        "regions",
        "found \"JJ\"",
    ),
    (
        "fineprint.toml",
        "regions = [\"us\"]\n",
        1,
        "regions",
        "expected \"US\" (region codes are written in capitals), found \"us\"",
    ),
    (
        "fineprint.toml",
        "regions = [\"UK\"]\n",
        1,
        "regions",
        "expected \"GB\"",
    ),
    (
        "pyproject.toml",
        "[tool.fineprint]\nregions = [\"EU\",\n  \"XK\"]\n",
        3,
        "tool.fineprint.regions",
        "found \"XK\"",
    ),
    (
        "fineprint.toml",
        "purposes = [\"cooking\"]\n",
        1,
        "purposes",
        "unknown field of use \"cooking\"",
    ),
    (
        "fineprint.toml",
        "allow = [\"apache-2.0\",\n  \"not-a-license\"]\n",
        2,
        "allow",
        "unknown license id `not-a-license`",
    ),
    (
        "fineprint.toml",
        "deny = [\"cc-by-nc-*\", \"zz-*\"]\n",
        1,
        "deny",
        "unknown license id `zz-*`",
    ),
    (
        "fineprint.toml",
        "deny = [\"cc-by-nc-[*\"]\n",
        1,
        "deny",
        "is not a valid glob",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x/[\"\nreason = \"r\"\n",
        2,
        "exceptions[0].model",
        "is not a valid glob",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \" \"\nreason = \"r\"\n",
        2,
        "exceptions[0].model",
        "found an empty string",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x/*\"\nreason = \"  \"\n",
        3,
        "exceptions[0].reason",
        "needs a reason",
    ),
    // Dates.
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"a/*\"\nreason = \"r\"\n[[exceptions]]\nmodel = \"b/*\"\nreason = \"r\"\nexpires = \"2026-13-01\"\n",
        7,
        "exceptions[1].expires",
        "expected a date YYYY-MM-DD (e.g. expires = 2027-06-30), found \"2026-13-01\"",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x/*\"\nreason = \"ok\"\nexpires = \"soon\"\n",
        4,
        "exceptions[0].expires",
        "found \"soon\"",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x\"\nreason = \"r\"\nexpires = 2027-13-45\n",
        4,
        "exceptions[0].expires",
        "invalid date",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x\"\nreason = \"r\"\nexpires = 2027-06-30T10:00:00\n",
        4,
        "exceptions[0].expires",
        "found 2027-06-30T10:00:00",
    ),
    (
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"x\"\nreason = \"r\"\nexpires = 20270630\n",
        4,
        "exceptions[0].expires",
        "found 20270630",
    ),
    // Syntax errors: the key being written.
    (
        "fineprint.toml",
        "use = \"comm",
        1,
        "use",
        "invalid basic string",
    ),
    (
        "fineprint.toml",
        "use = \"commercial\"\nmonthly_active_users = ",
        2,
        "monthly_active_users",
        "expected a value, found nothing",
    ),
    (
        "fineprint.toml",
        "use = \"internal\"\n\n[[exceptions",
        3,
        "exceptions",
        "unclosed array table",
    ),
    (
        "fineprint.toml",
        "deny = [\"cc-by-nc-*\"\nuse = \"commercial\"\n",
        2,
        "deny",
        "expected `,`",
    ),
    // pyproject.toml: paths from the file's root.
    (
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.fineprint]\nuse = \"internal\"\nmau = 5\n",
        6,
        "tool.fineprint.mau",
        "unknown field `mau`",
    ),
    (
        "pyproject.toml",
        "[tool.fineprint]\nuse = 5\n",
        2,
        "tool.fineprint.use",
        "expected a string, found `5`",
    ),
    (
        "pyproject.toml",
        "[tool.fineprint]\nallow = [\"zz-1\"]\n",
        2,
        "tool.fineprint.allow",
        "unknown license id `zz-1`",
    ),
    (
        "pyproject.toml",
        "[tool.fineprint]\n\n[[tool.fineprint.exceptions]]\nmodel = \"x\"\nreason = \"r\"\nexpires = \"2027-00-10\"\n",
        6,
        "tool.fineprint.exceptions[0].expires",
        "found \"2027-00-10\"",
    ),
    (
        "pyproject.toml",
        "[tool]\nfineprint = 5\n",
        2,
        "tool.fineprint",
        "expected a table, found integer `5`",
    ),
];

#[test]
fn refused_policies() {
    let kb = kb();
    let mut failures = Vec::new();
    for (name, text, line, key, needle) in REFUSED {
        let path = Path::new(name);
        let res = if *name == "pyproject.toml" {
            Policy::parse_pyproject(text, path, &kb).map(|_| ())
        } else {
            Policy::parse(text, path, &kb).map(|_| ())
        };
        match res {
            Ok(()) => failures.push(format!("{text:?}: accepted")),
            Err(e) => {
                let shown = e.to_string();
                if e.line != *line
                    || e.key.as_deref() != Some(*key)
                    || !shown.contains(needle)
                    || !shown.starts_with(&format!("{name}:{line}:"))
                    || !shown.contains(&format!("`{key}`: "))
                {
                    failures.push(format!("{text:?}: expected line {line}, key {key:?}, message with {needle:?}; got line {}, key {:?}: {shown}", e.line, e.key));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A policy file with bytes that are not UTF-8: the line and key of the first one.
#[test]
fn policy_file_not_utf8() {
    let kb = kb();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fineprint.toml");
    std::fs::write(&path, b"use = \"commercial\"\nregions = [\"D\xe9\"]\n").expect("write");
    let e = Policy::from_file(&path, &kb).expect_err("not UTF-8");
    assert_eq!((e.line, e.key.as_deref()), (2, Some("regions")), "{e}");
    assert!(e.to_string().contains("not UTF-8: byte 0xE9"), "{e}");
}

/// (policy, model, expected findings as "severity code", sorted by severity)
const OUTCOMES: &[(&str, &str, &[&str])] = &[
    // FLUX.1 [dev]: non-commercial, plus its clause on outputs (no competing models).
    (
        "",
        "black-forest-labs/FLUX.1-dev",
        &[
            "error non-commercial",
            "warning output-restriction",
            "hint field-of-use",
        ],
    ),
    (
        "use = \"internal\"",
        "black-forest-labs/FLUX.1-dev",
        &[
            "warning non-commercial",
            "warning output-restriction",
            "hint field-of-use",
        ],
    ),
    (
        "use = \"research\"",
        "black-forest-labs/FLUX.1-dev",
        &[
            "information non-commercial",
            "information output-restriction",
            "hint field-of-use",
        ],
    ),
    (
        "",
        "mistralai/Codestral-22B-v0.1",
        &["error non-commercial"],
    ),
    // Permissive licenses raise nothing.
    ("", "black-forest-labs/FLUX.1-schnell", &[]),
    ("", "mistralai/Mistral-7B-Instruct-v0.3", &[]),
    ("", "Qwen/Qwen2.5-7B-Instruct", &[]),
    ("", "acme-ai/support-bot-7b", &["warning unknown-license"]),
    // Llama 3.1: the 700M MAU threshold against what the project declares; naming duties.
    (
        "",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "monthly_active_users = 10_000_000",
        "meta-llama/Llama-3.1-8B-Instruct",
        &["warning naming-duty", "hint field-of-use"],
    ),
    (
        "monthly_active_users = 800_000_000",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "error commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "use = \"research\"",
        "meta-llama/Llama-3.1-8B-Instruct",
        &["information naming-duty", "hint field-of-use"],
    ),
    // Llama 3.2: the EU exclusion applies to the multimodal models only.
    (
        "regions = [\"DE\"]",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        &[
            "error region-excluded",
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "regions = [\"EU\"]",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        &[
            "error region-excluded",
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "regions = [\"US\"]",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        &[
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "regions = [\"DE\"]",
        "meta-llama/Llama-3.2-3B-Instruct",
        &[
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        &[
            "warning commercial-threshold",
            "warning region-excluded",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    // Fields of use declared by the project.
    (
        "purposes = [\"military\"]",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "error field-of-use",
            "warning commercial-threshold",
            "warning naming-duty",
        ],
    ),
    // Allow and deny lists.
    (
        "deny = [\"cc-by-nc-*\"]",
        "CohereForAI/c4ai-command-r-v01",
        &["error license-denied", "error non-commercial"],
    ),
    (
        "allow = [\"apache-2.0\", \"mit\"]",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "error license-not-allowed",
            "warning commercial-threshold",
            "warning naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "allow = [\"apache-2.0\", \"mit\"]",
        "Qwen/Qwen2.5-7B-Instruct",
        &[],
    ),
    // An allow-listed license was reviewed: its warnings become information.
    (
        "allow = [\"llama*\"]",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "information commercial-threshold",
            "information naming-duty",
            "hint field-of-use",
        ],
    ),
    (
        "allow = [\"llama*\"]\nmonthly_active_users = 800_000_000",
        "meta-llama/Llama-3.1-8B-Instruct",
        &[
            "error commercial-threshold",
            "information naming-duty",
            "hint field-of-use",
        ],
    ),
    // Exceptions.
    (
        "[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-*\"\nreason = \"research prototype\"",
        "black-forest-labs/FLUX.1-dev",
        &["hint excepted"],
    ),
    (
        "[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-*\"\nreason = \"r\"\nexpires = 2020-01-01",
        "black-forest-labs/FLUX.1-dev",
        &[
            "error non-commercial",
            "warning exception-expired",
            "warning output-restriction",
            "hint field-of-use",
        ],
    ),
    (
        "[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-*\"\nreason = \"r\"\nexpires = 2999-01-01",
        "black-forest-labs/FLUX.1-dev",
        &["hint excepted"],
    ),
    // Severity overrides.
    (
        "[severity]\nnon-commercial = \"warning\"",
        "black-forest-labs/FLUX.1-dev",
        &[
            "warning non-commercial",
            "warning output-restriction",
            "hint field-of-use",
        ],
    ),
    (
        "[severity]\nunknown-license = \"off\"",
        "acme-ai/support-bot-7b",
        &[],
    ),
    // Closed API terms: the clause on building competing models.
    (
        "",
        "gpt-4o-mini",
        &["warning output-restriction", "hint field-of-use"],
    ),
    (
        "use = \"research\"",
        "gpt-4o-mini",
        &["information output-restriction", "hint field-of-use"],
    ),
];

#[test]
fn policy_outcomes() {
    let kb = kb();
    let mut failures = Vec::new();
    for (policy_text, model, expected) in OUTCOMES {
        let policy = Policy::parse(policy_text, Path::new("fineprint.toml"), &kb)
            .unwrap_or_else(|e| panic!("{policy_text:?}: {e}"));
        let Some(r) = resolve_str(&kb, model) else {
            failures.push(format!("{model}: not a reference"));
            continue;
        };
        let mut got: Vec<String> = evaluate(&r, &kb, &policy, "2026-11-23")
            .iter()
            .map(|d| format!("{} {}", d.severity.as_str(), d.code.as_str()))
            .collect();
        let mut want: Vec<String> = expected.iter().map(|s| (*s).to_string()).collect();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!("policy {policy_text:?}, model {model}:\n    expected {want:?}\n    got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A policy of `n` exceptions (and a few deny globs).
fn big_policy(n: usize) -> String {
    let mut s = String::from("use = \"commercial\"\nregions = [\"EU\", \"US\"]\n");
    s.push_str("deny = [\"cc-by-nc-*\", \"cc-by-nc-sa-*\", \"gpl-*\"]\n");
    for i in 0..n {
        s.push_str(&format!(
            "[[exceptions]]\nmodel = \"org{i}/model-{i}-*\"\nreason = \"reviewed {i}\"\n"
        ));
    }
    s
}

/// Loading a policy of `n` exceptions and judging `n / 20` references under it grows
/// linearly: 4x the entries and references must take less than 8x the time (linear
/// is about 4x, 4.4x measured; the per-entry newline counts from the start of the file
/// and the scan of every exception for every reference this replaced measured 9x at
/// these sizes, and the quadratic share grows with them). Best of 3 each, timed by the
/// thread's CPU clock, so that a busy machine does not make it fail (wall clock did).
#[test]
fn policy_cost_is_linear_in_its_entries() {
    let kb = kb();
    let reference = resolve_str(&kb, "black-forest-labs/FLUX.1-dev").expect("a reference");
    let cost = |n: usize| {
        let text = big_policy(n);
        (0..3)
            .map(|_| {
                let start = thread_clock();
                let p = Policy::parse(&text, Path::new("fineprint.toml"), &kb)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(p.exceptions().len(), n);
                for _ in 0..n / 20 {
                    std::hint::black_box(evaluate(&reference, &kb, &p, "2026-01-15"));
                }
                thread_clock().saturating_sub(start)
            })
            .min()
            .unwrap_or_default()
    };
    let (small, large) = (cost(2_000), cost(8_000));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
    eprintln!("policy growth: 2,000 entries {small:?}, 8,000 {large:?} ({ratio:.1}x)");
    assert!(
        ratio < 8.0,
        "2,000 entries: {small:?}, 8,000: {large:?} ({ratio:.1}x)"
    );
}

/// Severity of one code under each use case: `-` for no finding of that code.
type PerUseCase = [&'static str; 4];

/// What each use case makes of each kind of restriction (docs/policy.md, "Findings and
/// information"): (restriction, policy facts, model, code, severity under `commercial`,
/// `internal`, `research`, `personal`, the fix the message must name when the fact is
/// undeclared).
const DECISIONS: &[(&str, &str, &str, &str, PerUseCase, &str)] = &[
    (
        "forbids commercial use",
        "",
        "mistralai/Codestral-22B-v0.1",
        "non-commercial",
        ["error", "warning", "information", "information"],
        "",
    ),
    (
        "user cap, undeclared",
        "",
        "meta-llama/Llama-3.1-8B-Instruct",
        "commercial-threshold",
        ["warning", "information", "-", "-"],
        "Declare `monthly_active_users`",
    ),
    (
        "user cap, declared above",
        "monthly_active_users = 800_000_000",
        "meta-llama/Llama-3.1-8B-Instruct",
        "commercial-threshold",
        ["error", "error", "error", "error"],
        "",
    ),
    (
        "user cap, declared at the limit",
        "monthly_active_users = 700_000_000",
        "meta-llama/Llama-3.1-8B-Instruct",
        "commercial-threshold",
        ["-", "-", "-", "-"],
        "",
    ),
    (
        "revenue cap, undeclared",
        "",
        "stabilityai/stable-diffusion-3.5-large",
        "commercial-threshold",
        ["warning", "information", "-", "-"],
        "Declare `annual_revenue_usd`",
    ),
    (
        "revenue cap, declared above",
        "annual_revenue_usd = 5_000_000",
        "stabilityai/stable-diffusion-3.5-large",
        "commercial-threshold",
        ["error", "error", "error", "error"],
        "",
    ),
    (
        "revenue cap, declared below",
        "annual_revenue_usd = 500_000",
        "stabilityai/stable-diffusion-3.5-large",
        "commercial-threshold",
        ["-", "-", "-", "-"],
        "",
    ),
    (
        "registration",
        "",
        "internlm/internlm2-chat-7b",
        "commercial-condition",
        ["warning", "information", "-", "-"],
        "",
    ),
    (
        "region exclusion, undeclared",
        "",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        "region-excluded",
        ["warning", "warning", "information", "information"],
        "Declare `regions`",
    ),
    (
        "region exclusion, declared region inside it",
        "regions = [\"DE\"]",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        "region-excluded",
        ["error", "error", "error", "error"],
        "",
    ),
    (
        "region exclusion, declared region outside it",
        "regions = [\"US\", \"JP\"]",
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        "region-excluded",
        ["-", "-", "-", "-"],
        "",
    ),
    (
        "region exclusion of multimodal models, a text model",
        "",
        "meta-llama/Llama-3.2-3B-Instruct",
        "region-excluded",
        ["-", "-", "-", "-"],
        "",
    ),
    (
        "fields of use, undeclared",
        "",
        "meta-llama/Llama-3.1-8B-Instruct",
        "field-of-use",
        ["hint", "hint", "hint", "hint"],
        "Declare `purposes`",
    ),
    (
        "fields of use, a banned purpose declared",
        "purposes = [\"military\"]",
        "meta-llama/Llama-3.1-8B-Instruct",
        "field-of-use",
        ["error", "error", "error", "error"],
        "",
    ),
    (
        "fields of use, no banned purpose declared",
        "purposes = [\"medical\"]",
        "meta-llama/Llama-3.1-8B-Instruct",
        "field-of-use",
        ["-", "-", "-", "-"],
        "",
    ),
    (
        "what outputs may train",
        "",
        "gpt-4o-mini",
        "output-restriction",
        ["warning", "warning", "information", "information"],
        "",
    ),
    (
        "a name or \"Built with\" on what is distributed",
        "",
        "meta-llama/Llama-3.1-8B-Instruct",
        "naming-duty",
        ["warning", "information", "information", "information"],
        "",
    ),
];

#[test]
fn decisions() {
    let kb = kb();
    let mut failures = Vec::new();
    for (what, facts, model, code, want, fix) in DECISIONS {
        let r = resolve_str(&kb, model).unwrap_or_else(|| panic!("{model}: not a reference"));
        for (use_case, want) in ["commercial", "internal", "research", "personal"]
            .iter()
            .zip(want)
        {
            let text = format!("use = \"{use_case}\"\n{facts}\n");
            let policy = Policy::parse(&text, Path::new("fineprint.toml"), &kb)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            let found: Vec<_> = evaluate(&r, &kb, &policy, "2026-11-23")
                .into_iter()
                .filter(|d| d.code.as_str() == *code)
                .collect();
            let got = match found.as_slice() {
                [] => "-".to_string(),
                [d] => d.severity.as_str().to_string(),
                _ => format!("{} findings (one per model expected)", found.len()),
            };
            if got != *want {
                failures.push(format!(
                    "{what} ({model}, {use_case}, {facts:?}): {code} expected {want}, got {got}"
                ));
            }
            if let [d] = found.as_slice()
                && !d.message.contains(fix)
            {
                failures.push(format!(
                    "{what} ({model}, {use_case}): the message does not name the fix {fix:?}: {}",
                    d.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
