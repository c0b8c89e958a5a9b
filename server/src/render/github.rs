//! `--format github`: GitHub Actions workflow commands, one per finding at error or
//! warning severity and place (`::error file=…,line=…,col=…,endColumn=…,title=…::msg`),
//! shown as annotations on the pull request; then the summary line as a plain log line.
//! Data is escaped as GitHub's runner reads it: `%`, `\r`, `\n` in the message, and
//! also `:` and `,` in properties.

use std::io::{self, Write};

use crate::check::Report;
use crate::findings::{Severity, display_name};
use crate::policy::Policy;

/// Escapes the message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(sev: Severity) -> &'static str {
    if sev == Severity::Error {
        "error"
    } else {
        "warning"
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
                let title = format!(
                    "fineprint {}: {}",
                    d.code.as_str(),
                    display_name(&r.reference)
                );
                let mut line = format!(
                    "::{} file={},line={},col={}",
                    command(d.severity),
                    escape_property(&f.path),
                    r.line,
                    r.column
                );
                if r.end_line == r.line {
                    line.push_str(&format!(",endColumn={}", r.end_column));
                }
                writeln!(
                    out,
                    "{line},title={}::{}",
                    escape_property(&title),
                    escape_data(&d.message)
                )?;
            }
        }
    }
    for p in &report.policy_findings {
        if p.severity <= Severity::Warning {
            writeln!(
                out,
                "::{} file={},line={},title={}::{}",
                command(p.severity),
                escape_property(&p.path),
                p.line,
                escape_property(&format!("fineprint {}", p.code.as_str())),
                escape_data(&p.message)
            )?;
        }
    }
    super::human::summary_line(out, report, policy)
}

#[cfg(test)]
mod tests {
    /// (text, as data, as a property)
    #[test]
    fn escaping() {
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
            ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
            ("%3A", "%253A", "%253A"),
            ("dir, x/a:1.py", "dir, x/a:1.py", "dir%2C x/a%3A1.py"),
        ];
        for (text, data, prop) in cases {
            assert_eq!(super::escape_data(text), data, "{text:?}");
            assert_eq!(super::escape_property(text), prop, "{text:?}");
        }
    }
}
