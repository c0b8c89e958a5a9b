//! `textDocument/didOpen`: the only way a document enters the state.

use tower_lsp_server::ls_types::*;

use crate::detect::FileKind;
use crate::document::Document;
use crate::lsp::Backend;
use crate::lsp::state::{Open, file_name, is_policy_file};

/// Handles `didOpen`.
pub async fn run(b: &Backend, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let policy = is_policy_file(&item.uri);
    let text = item.text;
    let kind = FileKind::from_file_name(file_name(&item.uri));
    let policy_text = policy.then(|| text.clone());
    b.with_state(|s| {
        let doc = Document::new(text, kind, &s.kb);
        s.docs.insert(
            item.uri.clone(),
            Open {
                doc,
                version: item.version,
            },
        );
        s.attach_evidence(&item.uri);
    });
    if let (Some(t), Some(path)) = (policy_text, item.uri.to_file_path()) {
        b.apply_policy(path.into_owned(), Some(t)).await;
    }
    b.schedule(item.uri);
}
