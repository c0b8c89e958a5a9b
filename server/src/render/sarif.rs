//! SARIF 2.1.0 (`fineprint check --format sarif`), as GitHub code scanning reads it.
//!
//! Invariants:
//! * One rule per finding code (`Code::ALL`, in that order, so `ruleIndex` is stable),
//!   with its documentation link and its default level under `use = "commercial"`.
//! * One result per finding at error, warning or information severity (hints only
//!   with `--all`), and one per finding on the policy file; so the counts of `error`
//!   and `warning` results equal the JSON summary's `errors` and `warnings`.
//! * Locations are relative to the folder checked (`uriBaseId` `SRCROOT`, resolved in
//!   `originalUriBaseIds` when that folder is known); columns count UTF-16 code units
//!   (`columnKind` `utf16CodeUnits`), 1-based, `endColumn` exclusive.
//! * `partialFingerprints` do not depend on line numbers, so an alert survives edits
//!   above it.
//! * With a baseline (`crate::baseline`), each result has a `baselineState`: `new`, or
//!   `updated` when the baseline holds it with another severity or license; the
//!   findings it holds unchanged are left out, and `runs[0].properties.baseline`
//!   counts them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::check::{Found, Report};
use crate::findings::{Code, Diagnostic, Severity};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// The SARIF schema the log declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where fineprint lives: the package's `repository`, set once in the workspace's
/// `Cargo.toml`. Rule help links point into its `docs/`; the CycloneDX BOM names it too.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
const _: () = assert!(
    !INFORMATION_URI.is_empty(),
    "set `repository` in the workspace Cargo.toml"
);

/// The key of fineprint's own fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "fineprintFinding/v1";

/// Options of the SARIF format.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The folder checked, absolute: `SRCROOT` in `originalUriBaseIds`, and the base
    /// the policy file's path is made relative to. `None` when several paths or a
    /// single file were checked.
    pub root: Option<PathBuf>,
    /// Also report hints (level `note`).
    pub all: bool,
}

/// The link to a page of fineprint's documentation.
pub fn docs_uri(page: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/{page}")
}

/// The default severity of a code under `use = "commercial"` (docs/codes.md).
pub fn default_severity(code: Code) -> Severity {
    match code {
        Code::NonCommercial | Code::LicenseDenied | Code::LicenseNotAllowed => Severity::Error,
        Code::FieldOfUse | Code::Excepted => Severity::Hint,
        Code::UnknownLicense
        | Code::CommercialThreshold
        | Code::CommercialCondition
        | Code::OutputRestriction
        | Code::NamingDuty
        | Code::RegionExcluded
        | Code::ExceptionExpired
        | Code::ExceptionUnused
        | Code::LicenseMismatch
        | Code::EvidenceConflict
        | Code::ExceptionReason => Severity::Warning,
    }
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// The rule's `name`: `non-commercial` -> `NonCommercial` (SARIF wants it to differ
/// from the id, so a one-word code gets a second word).
fn rule_name(code: Code) -> String {
    if code == Code::Excepted {
        return "ExceptedByPolicy".into();
    }
    code.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase().chain(c).collect::<String>()
            })
        })
        .collect()
}

fn rule(code: Code) -> Value {
    let sev = default_severity(code);
    let desc = code.description();
    let help = format!(
        "{desc} Default severity for commercial use: {}; other use cases and the policy's `[severity]` table may change it. \
To accept one occurrence, add the comment `fineprint: ignore[{c}]` on its line; to accept a model, add an `[[exceptions]]` entry with a reason to fineprint.toml; `fineprint explain MODEL` prints the license card.",
        sev.as_str(),
        c = code.as_str()
    );
    let markdown = format!(
        "{desc}\n\nDefault severity for commercial use: **{}**; other use cases and the policy's `[severity]` table may change it ([codes]({codes}), [policy]({policy})).\n\n\
* Accept one occurrence: a comment `fineprint: ignore[{c}]` on its line.\n\
* Accept a model: an `[[exceptions]]` entry with a `reason` (and an `expires` date) in `fineprint.toml`.\n\
* Read the license card: `fineprint explain MODEL`.",
        sev.as_str(),
        codes = docs_uri("codes.md"),
        policy = docs_uri("policy.md"),
        c = code.as_str()
    );
    json!({
        "id": code.as_str(),
        "name": rule_name(code),
        "shortDescription": {"text": desc},
        "fullDescription": {"text": format!("{desc} (fineprint finding code `{}`.)", code.as_str())},
        "help": {"text": help, "markdown": markdown},
        "helpUri": docs_uri("codes.md"),
        "defaultConfiguration": {"level": level(sev)},
        "properties": {"tags": ["license", "machine-learning-model"]},
    })
}

/// Percent-encodes a relative or absolute path as a URI path (RFC 3986: unreserved
/// characters and `/` stay; every other byte is `%XX`).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.replace('\\', "/").as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `file://` URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    if s.starts_with('/') {
        format!("file://{}", uri_path(&s))
    } else {
        format!("file:///{}", uri_path(&s))
    }
}

fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// An `artifactLocation` for a path as reported (relative to the working directory, or
/// absolute): relative to the folder checked (`SRCROOT`) when it lies inside it.
fn artifact(path: &str, root: Option<&Path>) -> Value {
    let p = Path::new(path);
    if let Some(r) = root {
        let abs = p
            .canonicalize()
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf());
        if let Ok(rel) = abs.strip_prefix(r) {
            return json!({"uri": uri_path(&rel.to_string_lossy()), "uriBaseId": "SRCROOT"});
        }
    }
    if is_absolute(path) {
        return json!({"uri": file_uri(p)});
    }
    let rel = path.strip_prefix("./").unwrap_or(path);
    json!({"uri": uri_path(rel), "uriBaseId": "SRCROOT"})
}

/// A path as found (the policy file's is often absolute), relative to the folder
/// checked when it lies inside it; otherwise as given.
pub fn relative_path(root: Option<&Path>, path: &Path) -> String {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    root.and_then(|r| abs.strip_prefix(r).ok())
        .map_or_else(|| path.display().to_string(), |p| p.display().to_string())
        .replace('\\', "/")
}

/// 64-bit FNV-1a: a stable hash (the same on every platform and version).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_bytes().iter().chain(std::iter::once(&0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn properties(r: &Found, d: &Diagnostic, kb: &KnowledgeBase) -> Value {
    let mut p = serde_json::Map::new();
    p.insert("reference".into(), json!(r.reference.text));
    p.insert("severity".into(), json!(d.severity.as_str()));
    if let Some(res) = &r.reference.resolution {
        let lic = res.license(kb);
        p.insert("model".into(), json!(r.reference.id));
        p.insert("license".into(), json!(lic.id));
        p.insert("licenseName".into(), json!(lic.name));
        p.insert("source".into(), json!(res.provenance.as_str()));
    }
    if let Some(c) = &d.clause {
        p.insert(
            "clause".into(),
            json!({"url": c.url, "section": c.section, "inferred": c.inferred}),
        );
    }
    if let Some(l) = d.policy_line {
        p.insert("policyLine".into(), json!(l));
    }
    Value::Object(p)
}

fn shown(d: &Diagnostic, all: bool) -> bool {
    all || d.severity != Severity::Hint
}

/// Renders the report as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render(report: &Report, kb: &KnowledgeBase, policy: &Policy, opts: &Options) -> String {
    super::to_string(|out| render_to(out, report, kb, policy, opts))
}

/// [`render`], written to `out` as it is made: the log around its results first (a
/// tree of values, small), then each result as it is serialized; a tree of values of
/// every result took 16 times the size of the log, and the whole log as one string
/// its size again.
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: &Options,
) -> io::Result<()> {
    let root = opts.root.as_deref();
    let log = serde_json::to_string_pretty(&log_without_results(report, policy, root))
        .map_err(io::Error::from)?;
    let slot = serde_json::to_string(RESULTS_SLOT).map_err(io::Error::from)?;
    let (head, tail) = log.split_once(&slot).unwrap_or((&log, ""));
    out.write_all(head.as_bytes())?;
    let mut results = Results {
        out,
        any: false,
        item: String::new(),
    };
    let index = |code: Code| Code::ALL.iter().position(|c| *c == code).unwrap_or(0);
    for (fi, f) in report.files.iter().enumerate() {
        // The path relative to the folder checked (as the URI is), so that an alert
        // is the same whatever the working directory of the run.
        let rel = relative_path(root, Path::new(&f.path));
        // Fingerprints: file, code and reference text, plus the ordinal among equal
        // triples in the file (so two identical references stay two alerts).
        let mut seen: std::collections::HashMap<(Code, &str), usize> =
            std::collections::HashMap::new();
        for (ri, r) in f.found.iter().enumerate() {
            let (start_col, end_col) = r.utf16_columns;
            for (di, d) in r.diagnostics.iter().enumerate() {
                if !shown(d, opts.all) {
                    continue;
                }
                let state = baseline_state(
                    report,
                    crate::baseline::Slot::Reference {
                        file: fi,
                        found: ri,
                        diagnostic: di,
                    },
                );
                let n = seen.entry((d.code, &*r.reference.text)).or_insert(0);
                let ordinal = n.to_string();
                *n += 1;
                let fp = fnv1a(&[&rel, d.code.as_str(), &r.reference.text, &ordinal]);
                results.push_with(state, &json!({
                        "ruleId": d.code.as_str(),
                        "ruleIndex": index(d.code),
                        "level": level(d.severity),
                        "message": {"text": d.message},
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": artifact(&f.path, root),
                                "region": {
                                    "startLine": r.line,
                                    "startColumn": start_col,
                                    "endLine": r.line,
                                    "endColumn": end_col,
                                    "snippet": {"text": r.excerpt.get(r.excerpt_span.clone()).unwrap_or("")},
                                },
                            },
                        }],
                        "partialFingerprints": {FINGERPRINT_KEY: format!("{fp:016x}")},
                        "properties": properties(r, d, kb),
                }))?;
            }
        }
    }
    for (i, p) in report.policy_findings.iter().enumerate() {
        // Hash the path relative to the folder checked, so the alert is the same in
        // every checkout.
        let path = relative_path(root, Path::new(&p.path));
        let fp = fnv1a(&[&path, p.code.as_str(), &p.message]);
        let state = baseline_state(report, crate::baseline::Slot::Policy(i));
        results.push_with(
            state,
            &json!({
                    "ruleId": p.code.as_str(),
                    "ruleIndex": index(p.code),
                    "level": level(p.severity),
                    "message": {"text": p.message},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": artifact(&path, root),
                            "region": {"startLine": p.line.max(1)},
                        },
                    }],
                    "partialFingerprints": {FINGERPRINT_KEY: format!("{fp:016x}")},
                    "properties": {"severity": p.severity.as_str()},
            }),
        )?;
    }
    if results.any {
        write!(results.out, "\n{}]", " ".repeat(RESULTS_INDENT - 2))?;
    } else {
        results.out.write_all(b"[]")?;
    }
    results.out.write_all(tail.as_bytes())
}

/// The SARIF log with [`RESULTS_SLOT`] where its results go.
fn log_without_results(report: &Report, policy: &Policy, root: Option<&Path>) -> Value {
    let version = env!("CARGO_PKG_VERSION");
    let mut run = json!({
        "tool": {"driver": {
            "name": "fineprint",
            "fullName": "fineprint: licenses of machine-learning models in code",
            "version": version,
            "semanticVersion": version,
            "informationUri": INFORMATION_URI,
            "rules": Code::ALL.iter().map(|c| rule(*c)).collect::<Vec<_>>(),
        }},
        "columnKind": "utf16CodeUnits",
        "results": RESULTS_SLOT,
        "properties": {
            "policy": {
                "use": policy.use_case.as_str(),
                "file": policy.file.as_ref().map(|p| relative_path(root, p)),
            },
            "summary": {
                "files": report.files.len(),
                "references": report.references(),
                "errors": report.count(Severity::Error),
                "warnings": report.count(Severity::Warning),
                "information": report.count(Severity::Information),
                "hints": report.count(Severity::Hint),
                "skipped": report.skipped.len(),
            },
        },
    });
    if let Some(b) = &report.baseline {
        run["properties"]["baseline"] = json!({
            "file": relative_path(root, Path::new(&b.file)),
            "baselined": b.baselined,
            "changed": b.changed,
        });
    }
    if let Some(r) = root {
        let mut uri = file_uri(r);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        run["originalUriBaseIds"] = json!({"SRCROOT": {"uri": uri}});
    }
    if !report.skipped.is_empty() {
        // Files that were not read are tool notifications, not results.
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": report.skipped.iter().map(|s| json!({
                "level": "note",
                "message": {"text": format!("Skipped {}: {}.", s.path, s.reason.trim_end_matches('.'))},
                "locations": [{"physicalLocation": {"artifactLocation": artifact(&s.path, root)}}],
            })).collect::<Vec<_>>(),
        }]);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Stands for the results in the log's tree of values, until the serialized results
/// replace it (no real value holds NUL characters).
const RESULTS_SLOT: &str = "\u{0}fineprint-results\u{0}";

/// Indentation of a result in the pretty-printed log (`runs[0].results[i]`).
const RESULTS_INDENT: usize = 8;

/// The results array as it is written: `[` and each result pretty-printed as it is
/// inside the log, `,`-separated, each on its own lines.
struct Results<'w> {
    out: &'w mut dyn Write,
    /// Whether a result was written.
    any: bool,
    /// The last result's text (its buffer is reused).
    item: String,
}

/// A result's `baselineState` when the check compared with a baseline: `updated` for a
/// finding the baseline holds with another severity or license, `new` otherwise (the
/// findings it holds unchanged are not reported).
fn baseline_state(report: &Report, slot: crate::baseline::Slot) -> Option<&'static str> {
    let b = report.baseline.as_ref()?;
    Some(if b.changed_at.contains(&slot) {
        "updated"
    } else {
        "new"
    })
}

impl Results<'_> {
    /// [`Results::push`], with `baselineState` set when there is one.
    fn push_with(&mut self, state: Option<&str>, result: &Value) -> io::Result<()> {
        match state {
            Some(s) => {
                let mut r = result.clone();
                r["baselineState"] = json!(s);
                self.push(&r)
            }
            None => self.push(result),
        }
    }

    fn push(&mut self, result: &Value) -> io::Result<()> {
        let Ok(text) = serde_json::to_string_pretty(result) else {
            return Ok(());
        };
        self.item.clear();
        self.item.push_str(if self.any { ",\n" } else { "[\n" });
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.item.push('\n');
            }
            self.item.extend(std::iter::repeat_n(' ', RESULTS_INDENT));
            self.item.push_str(line);
        }
        self.any = true;
        self.out.write_all(self.item.as_bytes())
    }
}
