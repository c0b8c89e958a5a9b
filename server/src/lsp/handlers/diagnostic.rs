//! `textDocument/diagnostic` (pull): the diagnostics of one document, computed from
//! the editor's text when it is open, else from the file on disk (none for a notebook
//! open in the editor: its cells carry them).

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::diagnostics::{of_disk, of_open};

/// Handles `textDocument/diagnostic`.
pub fn run(
    b: &Backend,
    params: DocumentDiagnosticParams,
) -> Option<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    b.with_state(|s| {
        let (items, result_id) = match of_open(s, &uri) {
            Some((items, version)) => (items, Some(version.to_string())),
            None => (
                uri.to_file_path()
                    .filter(|p| !s.notebook_open(p))
                    .map(|p| of_disk(s, &p))
                    .unwrap_or_default(),
                None,
            ),
        };
        DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
            },
        ))
    })
}
