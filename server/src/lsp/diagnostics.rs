//! Turning findings into protocol diagnostics, and publishing them.
//!
//! Invariants:
//! * A publish for an open document carries the version its findings were computed
//!   from, and is dropped if the document moved on before it was sent.
//! * Open documents are published by the analysis worker ([`super::analysis`]) only;
//!   every push of diagnostics (worker, `didClose`, policy file) is sent under
//!   [`super::analysis::Worker::gate`], after its check that it is not stale, so an
//!   older result never lands after a newer one.

use std::str::FromStr;

use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use super::convert;
use super::state::{Context, State};
use crate::check::Suppressions;
use crate::findings::{Code, Severity};
use crate::policy::PolicyError;
use crate::resolve::Reference;
use crate::text::LineIndex;

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// Protocol diagnostics for the references of a text, at `path` on disk when it has
/// one (the policy's `[[paths]]` rule for it caps their severity, as in `check`).
pub fn for_refs(
    state: &Context,
    text: &str,
    index: &LineIndex,
    refs: &[Reference],
    path: Option<&std::path::Path>,
) -> Vec<Diagnostic> {
    let today = crate::policy::today();
    let rule = path.and_then(|p| state.policy.scope.rule_for(p, state.root.as_deref()));
    let policy_uri = state.policy.file.as_ref().and_then(Uri::from_file_path);
    let mut out = Vec::new();
    // References come in text order: columns and suppression comments are counted on
    // along a line, not again for each reference on it.
    let mut columns = crate::text::ColumnMemo::default();
    let mut suppressions = Suppressions::default();
    for r in refs {
        let range = convert::range_after(text, index, &r.span, state.encoding, &mut columns);
        let license = r.resolution.as_ref().map(|res| res.license(&state.kb));
        for mut d in suppressions.findings(text, index, r, &state.kb, &state.policy, &today) {
            if let Some(rule) = rule {
                match crate::scope::capped(d.severity, rule.cap) {
                    Some(sev) => d.severity = sev,
                    None => continue,
                }
            }
            // The clause's document, else the license text; nothing for an unknown license.
            let href = match (d.code, license) {
                (Code::UnknownLicense, _) | (_, None) => None,
                (_, Some(l)) => Some(
                    d.clause
                        .as_ref()
                        .map_or_else(|| l.url.clone(), |c| c.url.clone()),
                ),
            };
            let related = match (d.policy_line, &policy_uri) {
                (Some(line), Some(uri)) => Some(vec![DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: Range::new(
                            Position::new(line.saturating_sub(1) as u32, 0),
                            Position::new(line.saturating_sub(1) as u32, u32::MAX),
                        ),
                    },
                    message: "the policy line that decides this severity".into(),
                }]),
                _ => None,
            };
            out.push(Diagnostic {
                range,
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.as_str().to_string())),
                code_description: href
                    .and_then(|h| Uri::from_str(&h).ok())
                    .map(|href| CodeDescription { href }),
                source: Some("fineprint".into()),
                message: super::short::message(&d, r, &state.kb, &state.policy),
                related_information: related,
                tags: None,
                data: Some(json!({ "id": r.id, "code": d.code.as_str() })),
            });
        }
    }
    out
}

/// A diagnostic on a policy file that did not parse.
pub fn for_policy_error(e: &PolicyError) -> Diagnostic {
    let line = e.line.saturating_sub(1) as u32;
    Diagnostic {
        range: Range::new(Position::new(line, 0), Position::new(line, u32::MAX)),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("invalid-policy".into())),
        code_description: None,
        source: Some("fineprint".into()),
        message: format!(
            "{}{} (fineprint keeps using the last valid policy)",
            e.key.as_ref().map_or(String::new(), |k| format!("`{k}`: ")),
            e.message
        ),
        related_information: None,
        tags: None,
        data: None,
    }
}

/// The diagnostics of the policy file named `name` (a `fineprint.toml` or a
/// `pyproject.toml`): its error when it does not parse; else, when it is the policy in
/// force, an `exception-reason` warning on each exception whose reason is a placeholder.
pub fn for_policy_file(s: &State, name: &std::ffi::OsStr) -> Vec<Diagnostic> {
    if let Some(e) = &s.policy_error {
        if e.file.file_name() == Some(name) {
            return vec![for_policy_error(e)];
        }
        return Vec::new();
    }
    if s.policy.file.as_ref().and_then(|f| f.file_name()) != Some(name) {
        return Vec::new();
    }
    crate::check::placeholder_reasons(&s.policy)
        .into_iter()
        .map(|p| {
            let line = p.line.saturating_sub(1) as u32;
            Diagnostic {
                range: Range::new(Position::new(line, 0), Position::new(line, u32::MAX)),
                severity: Some(severity(p.severity)),
                code: Some(NumberOrString::String(p.code.as_str().to_string())),
                code_description: None,
                source: Some("fineprint".into()),
                message: p.message,
                related_information: None,
                tags: None,
                data: None,
            }
        })
        .collect()
}

/// The diagnostics of an open document and the version they were computed from.
pub fn of_open(s: &mut State, uri: &Uri) -> Option<(Vec<Diagnostic>, i32)> {
    s.refresh(uri);
    let open = s.docs.get(uri)?;
    if super::state::is_policy_file(uri) && open.doc.kind.is_none() {
        let name = std::ffi::OsStr::new(super::state::file_name(uri));
        return Some((for_policy_file(s, name), open.version));
    }
    Some((
        for_refs(
            &s.context(),
            &open.doc.text,
            &open.doc.index,
            &open.doc.refs,
            s.disk_path(uri).as_deref(),
        ),
        open.version,
    ))
}

/// The diagnostics of a file on disk (not open).
pub fn of_disk(s: &State, path: &std::path::Path) -> Vec<Diagnostic> {
    let kind = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(crate::detect::FileKind::from_file_name);
    // A FIFO is not opened, nor more than the walk's limit read.
    let text = crate::regular_file::read_text(path, crate::check::MAX_FILE_SIZE);
    let (Some(kind), Some(text)) = (kind, text) else {
        return Vec::new();
    };
    // As `check` reads it, and as an editor shows it: without a byte order mark.
    let text = crate::check::without_bom(&text);
    let mut refs = crate::detect::detect(text, kind, &s.kb);
    let place = crate::evidence::Place {
        dir: path.parent().map(std::path::Path::to_path_buf),
        root: s.root.clone(),
    };
    crate::evidence::weigh::attach(&mut refs, text, kind, &s.kb, &s.evidence, &place);
    for_refs(&s.context(), text, &LineIndex::new(text), &refs, Some(path))
}
