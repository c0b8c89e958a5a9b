//! `fineprint/models` (a request of fineprint's own): every model of the workspace
//! with its license, its verdict under the policy and where it is used, for an
//! editor's "Models" view. Answered from the server's last state: the open documents
//! (notebook cells included) as the editor has them, and the other files as the last
//! workspace scan found them (none before the first scan, or with
//! `scan.workspace = false`). It never scans by itself.
//!
//! Result: `{ "models": [ { "id", "name", "license": { "id", "name", "label" } | null,
//! "verdict": "error" | "warning" | "information" | "hint" | "ok", "codes": [...],
//! "uses": N, "locations": [ { "uri", "range" } ] } ], "scanned": bool }`, most severe
//! verdict first, then by id; at most [`MAX_LOCATIONS`] locations per model (`uses`
//! counts them all).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Range, Uri};

use crate::codes::Severity;
use crate::lsp::state::Context;
use crate::lsp::{Backend, convert, diagnostics, guard, internal};
use crate::resolve::Reference;
use crate::text::LineIndex;

/// Locations listed per model.
pub const MAX_LOCATIONS: usize = 20;

/// A range as a key: start line and character, end line and character.
type RangeKey = (u32, u32, u32, u32);

/// The findings of one reference: severity and code.
type Findings = Vec<(Severity, String)>;

/// One model, as it is gathered.
#[derive(Default)]
struct Entry {
    name: String,
    license: Option<Value>,
    worst: Option<Severity>,
    codes: BTreeSet<String>,
    uses: usize,
    locations: Vec<Value>,
}

fn rank(s: Option<Severity>) -> u8 {
    match s {
        Some(Severity::Error) => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Information) => 2,
        Some(Severity::Hint) => 3,
        None => 4,
    }
}

impl Entry {
    fn add(
        &mut self,
        cx: &Context,
        r: &Reference,
        findings: &[(Severity, String)],
        at: Option<Value>,
    ) {
        if self.uses == 0 {
            self.name = crate::findings::display_name(r).to_string();
            self.license = r.resolution.as_ref().map(|res| {
                let l = res.license(&cx.kb);
                json!({ "id": l.id, "name": l.name, "label": crate::card::short_label(l) })
            });
        }
        self.uses += 1;
        for (sev, code) in findings {
            if rank(Some(*sev)) < rank(self.worst) {
                self.worst = Some(*sev);
            }
            self.codes.insert(code.clone());
        }
        if let Some(at) = at
            && self.locations.len() < MAX_LOCATIONS
        {
            self.locations.push(at);
        }
    }
}

fn location(uri: &Uri, range: Range) -> Value {
    json!({ "uri": uri.as_str(), "range": range })
}

/// An open document, snapshotted.
struct OpenDoc {
    uri: Uri,
    text: Arc<String>,
    index: Arc<LineIndex>,
    refs: Vec<Reference>,
    path: Option<PathBuf>,
}

/// Handles `fineprint/models`.
pub async fn run(b: &Backend) -> Result<Value> {
    let snapshot = b.with_state(|s| {
        let uris: Vec<Uri> = s.docs.keys().cloned().collect();
        let mut open = Vec::new();
        for uri in uris {
            s.refresh(&uri);
            let path = s.disk_path(&uri);
            if let Some(o) = s.docs.get(&uri).filter(|o| o.doc.kind.is_some()) {
                open.push(OpenDoc {
                    uri,
                    text: o.doc.text.clone(),
                    index: o.doc.index.clone(),
                    refs: o.doc.refs.clone(),
                    path,
                });
            }
        }
        let skip: HashSet<Uri> = s.docs.keys().chain(s.notebooks.keys()).cloned().collect();
        (s.context(), open, s.last_scan.clone(), skip)
    });
    let Some((cx, open, scan, skip)) = snapshot else {
        return Err(internal("fineprint/models"));
    };
    let answer = tokio::task::spawn_blocking(move || {
        guard("fineprint/models", || {
            gather(&cx, &open, scan.as_ref(), &skip)
        })
    })
    .await;
    match answer {
        Ok(Some(v)) => Ok(v),
        _ => Err(internal("fineprint/models")),
    }
}

fn gather(
    cx: &Context,
    open: &[OpenDoc],
    scan: Option<&(PathBuf, Arc<crate::check::Report>)>,
    skip: &HashSet<Uri>,
) -> Value {
    let mut models: BTreeMap<String, Entry> = BTreeMap::new();
    for d in open {
        let diags = diagnostics::for_refs(cx, &d.text, &d.index, &d.refs, d.path.as_deref());
        // The findings of each reference, by its range.
        let mut by_range: HashMap<RangeKey, Findings> = HashMap::new();
        for g in &diags {
            let k = (
                g.range.start.line,
                g.range.start.character,
                g.range.end.line,
                g.range.end.character,
            );
            let sev = match g.severity {
                Some(s) if s == tower_lsp_server::ls_types::DiagnosticSeverity::ERROR => {
                    Severity::Error
                }
                Some(s) if s == tower_lsp_server::ls_types::DiagnosticSeverity::WARNING => {
                    Severity::Warning
                }
                Some(s) if s == tower_lsp_server::ls_types::DiagnosticSeverity::INFORMATION => {
                    Severity::Information
                }
                _ => Severity::Hint,
            };
            let code = match &g.code {
                Some(tower_lsp_server::ls_types::NumberOrString::String(c)) => c.clone(),
                _ => String::new(),
            };
            by_range.entry(k).or_default().push((sev, code));
        }
        for r in &d.refs {
            let range = convert::range(&d.text, &d.index, &r.span, cx.encoding);
            let k = (
                range.start.line,
                range.start.character,
                range.end.line,
                range.end.character,
            );
            let found = by_range.get(&k).map_or(&[][..], Vec::as_slice);
            models.entry(r.id.clone()).or_default().add(
                cx,
                r,
                found,
                Some(location(&d.uri, range)),
            );
        }
    }
    if let Some((root, report)) = scan {
        // Texts read for locations, once per file.
        let mut texts: HashMap<PathBuf, Option<(String, LineIndex)>> = HashMap::new();
        for f in &report.files {
            let path = root.join(&f.path);
            let Some(uri) = Uri::from_file_path(&path) else {
                continue;
            };
            if skip.contains(&uri) {
                continue;
            }
            for x in &f.found {
                let findings: Vec<(Severity, String)> = x
                    .diagnostics
                    .iter()
                    .map(|g| (g.severity, g.code.as_str().to_string()))
                    .collect();
                let entry = models.entry(x.reference.id.clone()).or_default();
                let at = (entry.locations.len() < MAX_LOCATIONS)
                    .then(|| {
                        let t = texts.entry(path.clone()).or_insert_with(|| {
                            crate::regular_file::read_text(&path, crate::check::MAX_FILE_SIZE).map(
                                |t| {
                                    let t = crate::check::without_bom(&t).to_string();
                                    let i = LineIndex::new(&t);
                                    (t, i)
                                },
                            )
                        });
                        t.as_ref().map(|(t, i)| {
                            location(&uri, convert::range(t, i, &x.reference.span, cx.encoding))
                        })
                    })
                    .flatten();
                entry.add(cx, &x.reference, &findings, at);
            }
        }
    }
    let mut list: Vec<(String, Entry)> = models.into_iter().collect();
    list.sort_by(|a, b| {
        rank(a.1.worst)
            .cmp(&rank(b.1.worst))
            .then_with(|| a.0.cmp(&b.0))
    });
    let models: Vec<Value> = list
        .into_iter()
        .map(|(id, e)| {
            json!({
                "id": id,
                "name": e.name,
                "license": e.license,
                "verdict": e.worst.map_or("ok", Severity::as_str),
                "codes": e.codes,
                "uses": e.uses,
                "locations": e.locations,
            })
        })
        .collect();
    json!({ "models": models, "scanned": scan.is_some() })
}
