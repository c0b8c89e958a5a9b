//! `workspace/diagnostic` (pull): the diagnostics of every file of the workspace that
//! holds model references, open documents from the editor's text, the others from disk.
//! A notebook open in the editor gets an empty report for its file: its cells carry its
//! diagnostics. The `scan` settings apply: none with `scan.workspace = false`, and the
//! `scan.exclude` globs are left out.

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::diagnostics::{for_refs, of_open};
use crate::text::LineIndex;

/// Handles `workspace/diagnostic`.
pub async fn run(
    b: &Backend,
    _: WorkspaceDiagnosticParams,
) -> Option<WorkspaceDiagnosticReportResult> {
    let (root, kb, policy) = b.with_state(|s| {
        let root = s.root.clone().filter(|_| s.settings.scan_workspace);
        (root, s.kb.clone(), s.scan_policy())
    })?;
    let mut items = Vec::new();
    if let Some(root) = root {
        let scan_root = root.clone();
        let report =
            tokio::task::spawn_blocking(move || crate::check::run(&[scan_root], &kb, &policy))
                .await
                .ok()?;
        let report = std::sync::Arc::new(report);
        b.with_state(|s| s.last_scan = Some((root.clone(), report.clone())));
        for f in report.files.iter().filter(|f| !f.found.is_empty()) {
            let path = root.join(&f.path);
            let Some(uri) = Uri::from_file_path(&path) else {
                continue;
            };
            let entry = b.with_state(|s| match of_open(s, &uri) {
                Some((items, version)) => (items, Some(i64::from(version))),
                None if s.notebook_open(&path) => (Vec::new(), None),
                None => {
                    let text = crate::regular_file::read_text(&path, crate::check::MAX_FILE_SIZE)
                        .unwrap_or_default();
                    // The report's spans are offsets in the text without its BOM.
                    let text = crate::check::without_bom(&text);
                    let refs: Vec<_> = f.found.iter().map(|x| x.reference.clone()).collect();
                    (
                        for_refs(
                            &s.context(),
                            text,
                            &LineIndex::new(text),
                            &refs,
                            Some(&path),
                        ),
                        None,
                    )
                }
            })?;
            items.push(WorkspaceDocumentDiagnosticReport::Full(
                WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: entry.1,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items: entry.0,
                    },
                },
            ));
        }
    }
    Some(WorkspaceDiagnosticReportResult::Report(
        WorkspaceDiagnosticReport { items },
    ))
}
