//! `fineprint init`: writes a commented `fineprint.toml` for an existing project.
//!
//! It asks nothing. It scans the folder under the default policy (commercial use,
//! nothing declared) and writes that policy with every key explained, a summary of
//! what it found, and one active `[[exceptions]]` entry per model found at error
//! severity, so that `fineprint check` passes from the first day and CI can be turned
//! on at once. The exceptions are a baseline, not a review: their reason says so and
//! they expire after [`BASELINE_DAYS`], when the findings come back.
//!
//! Invariants: an existing `fineprint.toml` (or a `[tool.fineprint]` table in
//! `pyproject.toml`) is never replaced without `force`; the file written always parses
//! as a policy (checked after writing).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::check::Report;
use crate::findings::Severity;
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// Days a baseline exception lives.
pub const BASELINE_DAYS: i64 = 90;

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file written.
    pub path: PathBuf,
    /// Model references found.
    pub references: usize,
    /// Exceptions written (one per model with an error).
    pub exceptions: usize,
    /// Their expiry date.
    pub expires: String,
}

/// Why `init` wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError(pub String);

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InitError {}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `date` (`YYYY-MM-DD`) plus `days`; `None` for a malformed date.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let mut it = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, d) = (it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (y, m, d) = crate::policy::civil_from_days(days_from_civil(y, m, d) + days);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// A model id as a glob that matches exactly it (glob metacharacters in brackets).
fn literal_glob(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if matches!(c, '*' | '?' | '[' | '{' | '}' | '\\') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// One model's findings, gathered over its references.
#[derive(Default)]
struct Seen {
    id: String,
    license: Option<String>,
    /// code -> most severe severity.
    codes: BTreeMap<&'static str, Severity>,
    /// `path:line` of each reference.
    places: Vec<String>,
    /// `path:line` of references with an error.
    error_places: Vec<String>,
}

/// The text of the policy file for a scan (made under the default policy).
pub fn proposal(report: &Report, kb: &KnowledgeBase, today: &str) -> (String, usize, String) {
    let expires = add_days(today, BASELINE_DAYS).unwrap_or_else(|| today.to_string());
    let mut models: BTreeMap<String, Seen> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for f in &report.files {
        for r in &f.found {
            let key = r.reference.id.to_lowercase();
            let seen = models.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Seen {
                    id: r.reference.id.clone(),
                    license: r
                        .reference
                        .resolution
                        .as_ref()
                        .map(|x| x.license(kb).id.clone()),
                    ..Seen::default()
                }
            });
            let place = format!("{}:{}", f.path, r.line);
            for d in r.diagnostics.iter() {
                let e = seen.codes.entry(d.code.as_str()).or_insert(d.severity);
                *e = (*e).min(d.severity);
            }
            if r.diagnostics.iter().any(|d| d.severity == Severity::Error) {
                seen.error_places.push(place.clone());
            }
            seen.places.push(place);
        }
    }

    let mut t = String::new();
    let _ = writeln!(
        t,
        "# fineprint policy, written by `fineprint init` on {today}.\n\
# Every key: docs/policy.md. Every finding code: docs/codes.md. `fineprint explain MODEL`\n\
# prints what a model's license allows.\n\
\n\
# How the project uses models: \"commercial\" (a product or service that earns money,\n\
# also indirectly), \"internal\" (inside the organisation only), \"research\", \"personal\".\n\
use = \"commercial\"\n\
\n\
# Declare what you know, and fineprint compares it with the licenses' thresholds and\n\
# exclusions instead of warning that it cannot tell:\n\
# monthly_active_users = 2_000_000   # Llama licenses: 700 million\n\
# annual_revenue_usd = 500_000       # Stability AI Community License: $1 million\n\
# regions = [\"EU\"]                   # \"EU\" or ISO 3166 codes; Llama 3.2 vision excludes the EU\n\
# purposes = [\"medical\"]             # compared with field-of-use bans\n\
\n\
# Licenses the project has reviewed and accepts (with a list, any other license is an\n\
# error), and licenses it refuses. Ids from `fineprint explain --list`; globs with `*`:\n\
# allow = [\"apache-2.0\", \"mit\"]\n\
# deny = [\"cc-by-nc-*\"]\n\
\n\
# Severity overrides (\"error\", \"warning\", \"information\", \"hint\", \"off\"):\n\
# [severity]\n\
# naming-duty = \"information\"\n"
    );

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let _ = writeln!(
        t,
        "# What fineprint found on {today}: {} model reference(s) in {} file(s), {errors} error(s),\n# {warnings} warning(s), under the policy above.",
        report.references(),
        report.files.len(),
    );
    let mut clean = 0;
    for key in &order {
        let Some(m) = models.get(key) else { continue };
        let shown: Vec<String> = m
            .codes
            .iter()
            .filter(|(_, s)| **s <= Severity::Warning)
            .map(|(c, s)| format!("{} {c}", s.as_str()))
            .collect();
        if shown.is_empty() {
            clean += 1;
            continue;
        }
        let more = if m.places.len() > 1 {
            format!(" (+{} more)", m.places.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "#   {} [{}]: {}; {}{more}",
            m.id,
            m.license.as_deref().unwrap_or("license unknown"),
            shown.join(", "),
            m.places.first().map_or("", String::as_str),
        );
    }
    if clean > 0 {
        let _ = writeln!(t, "#   and {clean} model(s) without errors or warnings.");
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(
            t,
            "#   {} file(s) could not be read; `fineprint check` lists them.",
            report.skipped.len()
        );
    }

    let with_errors: Vec<&Seen> = order
        .iter()
        .filter_map(|k| models.get(k))
        .filter(|m| !m.error_places.is_empty())
        .collect();
    if with_errors.is_empty() {
        let _ = writeln!(
            t,
            "\n# No model is at error severity, so there is no exception to propose. To accept a\n\
# model whatever its findings:\n\
# [[exceptions]]\n\
# model = \"black-forest-labs/FLUX.1-dev\"\n\
# reason = \"Commercial license signed with Black Forest Labs\"\n\
# expires = 2027-06-30"
        );
    } else {
        let _ = writeln!(
            t,
            "\n# Baseline: the models found at error severity are accepted below, so that\n\
# `fineprint check` passes from today and CI can be turned on at once. These are NOT\n\
# reviews: each one expires on {expires}, and then its findings come back. Before\n\
# then, review each model (`fineprint explain MODEL`) and either remove it from the\n\
# code, or replace the reason with the real one (a signed license, a decision) and set\n\
# a new date. Delete an entry to see its findings again now."
        );
        for m in &with_errors {
            let codes: Vec<&str> = m
                .codes
                .iter()
                .filter(|(_, s)| **s == Severity::Error)
                .map(|(c, _)| *c)
                .collect();
            let more = if m.error_places.len() > 1 {
                format!(" and {} more", m.error_places.len() - 1)
            } else {
                String::new()
            };
            let reason = format!(
                "Baseline from fineprint init on {today}, not reviewed: {} at {}{more}",
                codes.join(", "),
                m.error_places.first().map_or("", String::as_str),
            );
            let _ = writeln!(
                t,
                "\n[[exceptions]]\nmodel = {}\nreason = {}\nexpires = {expires}",
                toml_str(&literal_glob(&m.id)),
                toml_str(&reason),
            );
        }
    }
    (t, with_errors.len(), expires)
}

/// Whether `pyproject.toml` in `dir` has a `[tool.fineprint]` table.
fn pyproject_has_policy(dir: &Path) -> bool {
    // Through the policy reader: a FIFO named pyproject.toml is not opened.
    crate::policy::read_file(&dir.join("pyproject.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("tool").and_then(|x| x.get("fineprint")).cloned())
        .is_some()
}

/// Scans `dir` and writes `dir/fineprint.toml`.
pub fn run(dir: &Path, kb: &KnowledgeBase, force: bool) -> Result<Outcome, InitError> {
    if !dir.is_dir() {
        return Err(InitError(format!(
            "error: `{}` is not a folder; `fineprint init` writes fineprint.toml into the project's folder",
            dir.display()
        )));
    }
    let path = dir.join("fineprint.toml");
    if !force {
        if crate::policy::present(&path) {
            return Err(InitError(format!(
                "error: {} already exists; fineprint init does not overwrite a policy (pass --force to replace it)",
                path.display()
            )));
        }
        if pyproject_has_policy(dir) {
            return Err(InitError(format!(
                "error: {} already has a [tool.fineprint] policy; fineprint init does not add a second one (pass --force to write fineprint.toml, which then takes precedence)",
                dir.join("pyproject.toml").display()
            )));
        }
    }
    let policy = Policy::default();
    let report = crate::check::run(&[dir.to_path_buf()], kb, &policy);
    let today = crate::policy::today();
    let (text, exceptions, expires) = proposal(&report, kb, &today);
    let written = if force {
        std::fs::write(&path, &text)
    } else {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
    };
    written.map_err(|e| InitError(format!("error: cannot write {}: {e}", path.display())))?;
    Policy::from_file(&path, kb).map_err(|e| {
        InitError(format!(
            "error: the policy written is not valid (a fineprint bug; please report it): {e}"
        ))
    })?;
    Ok(Outcome {
        path,
        references: report.references(),
        exceptions,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::literal_glob;

    #[test]
    fn literal_globs_match_only_their_id() {
        for (id, other) in [
            (
                "black-forest-labs/FLUX.1-dev",
                "black-forest-labs/FLUX.1-devX",
            ),
            ("org/model[v2]*", "org/modelv*"),
            ("org/a?b{c}", "org/axbc"),
        ] {
            let m = globset::Glob::new(&literal_glob(id))
                .unwrap_or_else(|e| panic!("{id}: {e}"))
                .compile_matcher();
            assert!(m.is_match(id), "{id}");
            assert!(!m.is_match(other), "{id} vs {other}");
        }
    }
}
