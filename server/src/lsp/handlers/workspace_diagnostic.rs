//! `workspace/diagnostic` (pull): the diagnostics of every file of the workspace that
//! holds model references, open documents from the editor's text, the others from disk.

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::diagnostics::{for_refs, of_open};
use crate::text::LineIndex;

/// Handles `workspace/diagnostic`.
pub async fn run(
    b: &Backend,
    _: WorkspaceDiagnosticParams,
) -> Option<WorkspaceDiagnosticReportResult> {
    let (root, kb, policy) = b.with_state(|s| (s.root.clone(), s.kb.clone(), s.policy.clone()))?;
    let mut items = Vec::new();
    if let Some(root) = root {
        let scan_root = root.clone();
        let report =
            tokio::task::spawn_blocking(move || crate::check::run(&[scan_root], &kb, &policy))
                .await
                .ok()?;
        for f in report.files.iter().filter(|f| !f.found.is_empty()) {
            let path = root.join(&f.path);
            let Some(uri) = Uri::from_file_path(&path) else {
                continue;
            };
            let entry = b.with_state(|s| match of_open(s, &uri) {
                Some((items, version)) => (items, Some(i64::from(version))),
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
