//! Terminal output. By default the findings at error or warning severity are grouped
//! by decision (a model id, a finding code and a severity): the message and its clause
//! are printed once, then the first few places with their source line and a count of
//! the others, then a table of the models (license, openness, verdict, files) and the
//! summary line. `--all` prints every finding at every place with its source line
//! underlined, and lists every reference. `--statistics` prints a count per code
//! instead of the decisions; `-q` only the summary line.

use std::fmt::Write as _;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::card::short_label;
use crate::check::{FileResult, Found, Report};
use crate::findings::Severity;
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// Options of the human format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Colours (a terminal, and `NO_COLOR` unset).
    pub color: bool,
    /// List every reference, also those without findings.
    pub all: bool,
    /// A count per code instead of the decisions.
    pub statistics: bool,
    /// Only the summary line.
    pub quiet: bool,
}

/// Places listed under a decision before "and N more".
pub const PLACES_SHOWN: usize = 3;

/// References of one file rendered as one piece (a file with more is cut in pieces,
/// so that a window of the output stays small and is shared among the cores).
const PIECE: usize = 1024;

/// Renders the report for a terminal.
pub fn render(report: &Report, kb: &KnowledgeBase, policy: &Policy, opts: Options) -> String {
    super::to_string(|out| render_to(out, report, kb, policy, opts))
}

/// [`render`], written to `out` as it is made.
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: Options,
) -> io::Result<()> {
    if opts.quiet {
        return summary_line(out, report, policy);
    }
    if opts.statistics {
        super::statistics::render_to(out, report)?;
        return summary_line(out, report, policy);
    }
    if !opts.all {
        return super::grouped::render_to(out, report, kb, policy, opts.color);
    }
    // Each piece (a file's references, at most PIECE of them) is independent: made on
    // all cores, a window at a time, written in order.
    let pieces: Vec<(&FileResult, &[Found])> = report
        .files
        .iter()
        .flat_map(|f| f.found.chunks(PIECE).map(move |c| (f, c)))
        .collect();
    super::in_order_to(
        out,
        &pieces,
        |(_, found)| found.len(),
        |(f, found)| file_part(f, found, kb, policy, opts),
    )?;
    policy_and_skipped(out, report)?;
    summary_line(out, report, policy)
}

/// The last line of the human and concise formats: references, files, use case and
/// policy, findings at error and warning severity (every place counted), references
/// without findings and with an unknown license, files skipped, and findings left out
/// because a baseline holds them (with those that changed since it).
pub fn summary_line(out: &mut dyn Write, report: &Report, policy: &Policy) -> io::Result<()> {
    let refs = report.references();
    let unknown = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .filter(|r| r.reference.resolution.is_none())
        .count();
    let clean = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .filter(|r| r.diagnostics.iter().all(|d| d.severity > Severity::Warning))
        .count();
    let policy_src = policy
        .file
        .as_ref()
        .map_or("default policy".to_string(), |p| {
            format!("policy {}", p.display())
        });
    writeln!(
        out,
        "fineprint: {refs} model reference(s) in {} file(s) ({} use, {policy_src}): {} error(s), {} warning(s); {clean} without findings, {unknown} with unknown license{}{}",
        report.files.len(),
        policy.use_case.as_str(),
        report.count(Severity::Error),
        report.count(Severity::Warning),
        if report.skipped.is_empty() {
            String::new()
        } else {
            format!("; {} file(s) skipped", report.skipped.len())
        },
        report.baseline.as_ref().map_or(String::new(), |b| format!(
            "; {} finding(s) baselined in {}, {} changed since",
            b.baselined, b.file, b.changed
        )),
    )
}

/// The findings (and with `--all` the other references) of one file.
fn file_part(
    f: &FileResult,
    found: &[Found],
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: Options,
) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for r in found {
        let label = match &r.reference.resolution {
            Some(res) => short_label(res.license(kb)),
            None => "license unknown".to_string(),
        };
        let shown: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.severity <= Severity::Warning)
            .collect();
        if let Some(first) = shown.first() {
            let level = |s: Severity| {
                if s == Severity::Error {
                    Level::ERROR
                } else {
                    Level::WARNING
                }
            };
            let snippet = Snippet::source(r.excerpt.as_str())
                .line_start(r.line)
                .annotation(
                    AnnotationKind::Primary
                        .span(r.excerpt_span.clone())
                        .label(label.as_str()),
                );
            let title = level(first.severity)
                .primary_title(first.message.as_str())
                .id(first.code.as_str());
            // The snippet gives the column from the excerpt; an excerpt that does not
            // start its line needs the column given (and is shown as a second place).
            let starts_line = r
                .excerpt
                .get(..r.excerpt_span.start)
                .map(|s| s.chars().count() + 1)
                == Some(r.column);
            let mut groups = vec![if starts_line {
                title.element(snippet.path(f.path.as_str()))
            } else {
                title
                    .element(
                        Origin::path(f.path.as_str())
                            .line(r.line)
                            .char_column(r.column),
                    )
                    .element(snippet)
            }];
            let mut lines = Vec::new();
            for d in shown.iter().skip(1) {
                lines.push((
                    level(d.severity),
                    format!("[{}] {}", d.code.as_str(), d.message),
                ));
            }
            if let Some(res) = &r.reference.resolution {
                lines.push((Level::NOTE, format!("how fineprint knows: {}", res.how)));
            }
            for d in &shown {
                if let Some(c) = &d.clause {
                    let inferred = if c.inferred { " (inferred)" } else { "" };
                    lines.push((
                        Level::NOTE,
                        format!(
                            "[{}] clause: {} <{}>{inferred}",
                            d.code.as_str(),
                            c.section,
                            c.url
                        ),
                    ));
                }
                if let (Some(line), Some(file)) = (d.policy_line, &policy.file) {
                    lines.push((
                        Level::NOTE,
                        format!("[{}] policy: {}:{line}", d.code.as_str(), file.display()),
                    ));
                }
            }
            for (lvl, text) in &lines {
                groups.push(Group::with_title(
                    lvl.clone().secondary_title(text.as_str()),
                ));
            }
            let _ = writeln!(out, "{}\n", renderer.render(&groups));
        }
        if opts.all && shown.is_empty() {
            let how = r
                .reference
                .resolution
                .as_ref()
                .map_or("", |x| x.provenance.as_str());
            let quiet = r.diagnostics.first().map_or(String::new(), |d| {
                format!(" [{} {}]", d.severity.as_str(), d.code.as_str())
            });
            let _ = writeln!(
                out,
                "{}:{}:{}: {} · {label} ({how}){quiet}",
                f.path, r.line, r.column, r.reference.text
            );
        }
    }
    out
}

/// The findings about the policy file, then the files not read, one line each (after
/// the references, in the default and in the `--all` view).
pub(super) fn policy_and_skipped(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for p in &report.policy_findings {
        writeln!(
            out,
            "{}:{}: {} [{}]: {}",
            p.path,
            p.line,
            p.severity.as_str(),
            p.code.as_str(),
            p.message
        )?;
    }
    for s in &report.skipped {
        writeln!(out, "skipped {}: {}", s.path, s.reason)?;
    }
    Ok(())
}
