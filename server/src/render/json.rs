//! The JSON report. Its shape is a contract that tests and other tools read:
//! `references[]` with 1-based `line`/`column` (Unicode scalar values, `end_column`
//! exclusive), `text`, `model`, `license`, `source`, `diagnostics[]`; and `summary`.
//! Fields may be added; none is renamed or removed without a major version.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::{PolicyFinding, Report, Skipped};
use crate::findings::{Diagnostic, Severity};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

#[derive(Serialize)]
struct JsonReference<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    text: &'a str,
    kind: &'static str,
    model: Option<&'a str>,
    license: Option<&'a str>,
    license_name: Option<&'a str>,
    family: Option<&'a str>,
    variant: Option<&'a str>,
    openness: Option<crate::kb::Openness>,
    source: Option<&'static str>,
    inferred_from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a crate::evidence::Evidence>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    references: usize,
    errors: usize,
    warnings: usize,
    information: usize,
    hints: usize,
    unknown: usize,
    skipped: usize,
    /// With a baseline: the file, the findings it left out, and the findings reported
    /// that changed since it.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary>,
}

#[derive(Serialize)]
struct BaselineSummary {
    file: String,
    baselined: usize,
    changed: usize,
}

#[derive(Serialize)]
struct PolicyInfo {
    file: Option<String>,
    #[serde(rename = "use")]
    use_case: &'static str,
}

#[derive(Serialize)]
struct Json<'a> {
    references: References<'a>,
    skipped: &'a [Skipped],
    policy_findings: &'a [PolicyFinding],
    policy: PolicyInfo,
    summary: Summary,
}

/// The references, serialized one at a time as they are made.
struct References<'a> {
    report: &'a Report,
    kb: &'a KnowledgeBase,
}

impl Serialize for References<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let kb = self.kb;
        s.collect_seq(self.report.files.iter().flat_map(|f| {
            f.found.iter().map(move |r| {
                let res = r.reference.resolution.as_deref();
                let lic = res.map(|x| x.license(kb));
                let fam = res.and_then(|x| x.family(kb));
                let variant = res.and_then(|x| {
                    x.at.and_then(|a| a.variant)
                        .and_then(|v| fam.and_then(|f| f.variant.get(v)))
                });
                JsonReference {
                    path: &f.path,
                    line: r.line,
                    column: r.column,
                    end_line: r.end_line,
                    end_column: r.end_column,
                    text: &r.reference.text,
                    kind: match r.reference.kind {
                        crate::resolve::RefKind::Hf => "hf",
                        crate::resolve::RefKind::Ollama => "ollama",
                        crate::resolve::RefKind::Gguf => "gguf",
                        crate::resolve::RefKind::File => "file",
                        crate::resolve::RefKind::Api => "api",
                        crate::resolve::RefKind::Library => "library",
                    },
                    model: res.map(|_| &*r.reference.id),
                    license: lic.map(|l| l.id.as_str()),
                    license_name: lic.map(|l| l.name.as_str()),
                    family: fam.map(|f| f.id.as_str()),
                    variant: variant.map(|v| v.name.as_str()),
                    openness: res.map(|x| kb.openness(x.at, x.license)),
                    source: res.map(|x| x.provenance.as_str()),
                    inferred_from: res.map(|x| &*x.how),
                    evidence: r.reference.evidence.as_deref(),
                    diagnostics: &r.diagnostics,
                }
            })
        }))
    }
}

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report, kb: &KnowledgeBase, policy: &Policy) -> String {
    super::to_string(|out| render_to(out, report, kb, policy))
}

/// [`render`], written to `out` as it is made.
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
) -> io::Result<()> {
    let all = || report.files.iter().flat_map(|f| &f.found);
    let json = Json {
        summary: Summary {
            files: report.files.len(),
            references: report.references(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            information: report.count(Severity::Information),
            hints: report.count(Severity::Hint),
            unknown: all().filter(|r| r.reference.resolution.is_none()).count(),
            skipped: report.skipped.len(),
            baseline: report.baseline.as_ref().map(|b| BaselineSummary {
                file: b.file.clone(),
                baselined: b.baselined,
                changed: b.changed,
            }),
        },
        references: References { report, kb },
        skipped: &report.skipped,
        policy_findings: &report.policy_findings,
        policy: PolicyInfo {
            file: policy.file.as_ref().map(|p| p.display().to_string()),
            use_case: policy.use_case.as_str(),
        },
    };
    serde_json::to_writer_pretty(out, &json).map_err(io::Error::from)
}
