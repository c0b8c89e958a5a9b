//! `--format concise`: one line per finding at error or warning severity and place,
//! `path:line:col: severity[code] model: short message`, then the summary line (as
//! ruff and typos print them: one grep-able line per place).

use std::io::{self, Write};

use crate::check::Report;
use crate::findings::{Severity, display_name};
use crate::policy::Policy;

/// Characters of a short message before it is cut.
const SHORT: usize = 100;

/// The restriction of a message without its lead (`X is under License: `), its first
/// sentence, at most [`SHORT`] characters (cut with `…`).
pub fn short_message(message: &str) -> String {
    let body = message
        .split_once(": ")
        .filter(|(lead, _)| lead.contains(" is under "))
        .map_or(message, |(_, rest)| rest);
    let sentence = body
        .find(". ")
        .map_or(body, |i| &body[..=i])
        .trim_end_matches('.');
    if sentence.chars().count() <= SHORT {
        sentence.to_string()
    } else {
        let cut: String = sentence.chars().take(SHORT - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Writes the report.
pub fn render_to(out: &mut dyn Write, report: &Report, policy: &Policy) -> io::Result<()> {
    for f in &report.files {
        for r in &f.found {
            for d in r
                .diagnostics
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
            {
                writeln!(
                    out,
                    "{}:{}:{}: {}[{}] {}: {}",
                    f.path,
                    r.line,
                    r.column,
                    d.severity.as_str(),
                    d.code.as_str(),
                    display_name(&r.reference),
                    short_message(&d.message)
                )?;
            }
        }
    }
    for p in &report.policy_findings {
        if p.severity <= Severity::Warning {
            writeln!(
                out,
                "{}:{}:1: {}[{}] {}",
                p.path,
                p.line,
                p.severity.as_str(),
                p.code.as_str(),
                p.message
            )?;
        }
    }
    super::human::summary_line(out, report, policy)
}

#[cfg(test)]
mod tests {
    /// (message, short message)
    #[test]
    fn short_messages() {
        let long = format!("M is under L: {}. Then more.", "x".repeat(150));
        let cases: &[(&str, String)] = &[
            (
                "FLUX.1-dev is under the FLUX.1 [dev] Non-Commercial License: The license covers non-commercial purposes only; revenue is excluded. Commercial use needs a license.",
                "The license covers non-commercial purposes only; revenue is excluded".into(),
            ),
            (
                "no lead here: kept whole.",
                "no lead here: kept whole".into(),
            ),
            (long.as_str(), format!("{}…", "x".repeat(99))),
        ];
        for (msg, want) in cases {
            assert_eq!(&super::short_message(msg), want, "{msg}");
        }
    }
}
