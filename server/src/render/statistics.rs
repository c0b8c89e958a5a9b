//! `--statistics`: how many places each finding code is reported at, per severity,
//! most severe first and then most frequent.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::check::Report;
use crate::findings::Severity;

/// (severity, code) → places, over references at warning or error and the policy file.
pub fn counts(report: &Report) -> Vec<(Severity, &'static str, usize)> {
    let mut by: BTreeMap<(Severity, &'static str), usize> = BTreeMap::new();
    let diags = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .flat_map(|r| r.diagnostics.iter())
        .map(|d| (d.severity, d.code.as_str()));
    let policy = report
        .policy_findings
        .iter()
        .map(|p| (p.severity, p.code.as_str()));
    for key in diags.chain(policy).filter(|(s, _)| *s <= Severity::Warning) {
        *by.entry(key).or_default() += 1;
    }
    let mut out: Vec<_> = by.into_iter().map(|((s, c), n)| (s, c, n)).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
    out
}

/// Writes one line per code: `  12  error    non-commercial`.
pub fn render_to(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let rows = counts(report);
    let width = rows
        .iter()
        .map(|r| r.2.to_string().len())
        .max()
        .unwrap_or(1);
    for (sev, code, n) in rows {
        writeln!(out, "{n:>width$}  {:<8} {code}", sev.as_str())?;
    }
    Ok(())
}
