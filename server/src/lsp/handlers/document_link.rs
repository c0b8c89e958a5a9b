//! `textDocument/documentLink`: model ids link to their model page; license ids in a
//! policy file link to the license text.

use tower_lsp_server::ls_types::*;

use crate::lsp::state::is_policy_file;
use crate::lsp::{Backend, convert};
use crate::resolve::RefKind;

/// Handles `documentLink`.
pub fn run(b: &Backend, params: DocumentLinkParams) -> Option<Option<Vec<DocumentLink>>> {
    b.with_state(|s| {
        s.refresh(&params.text_document.uri);
        let open = s.docs.get(&params.text_document.uri)?;
        let (text, index) = (&open.doc.text, &open.doc.index);
        let mut links = Vec::new();
        for r in &open.doc.refs {
            let target = match r.kind {
                RefKind::Hf if r.id.contains('/') => format!("https://huggingface.co/{}", r.id),
                RefKind::Ollama if !r.id.contains('/') => format!(
                    "https://ollama.com/library/{}",
                    r.id.split(':').next().unwrap_or(&r.id)
                ),
                _ => continue,
            };
            links.push(DocumentLink {
                range: convert::range(text, index, &r.span, s.encoding),
                target: target.parse().ok(),
                tooltip: Some("Open the model page".into()),
                data: None,
            });
        }
        if is_policy_file(&params.text_document.uri) {
            // Quoted license ids.
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    let start = i + 1;
                    let end = text[start..]
                        .find(['"', '\n', '\r'])
                        .map_or(text.len(), |e| start + e);
                    if let Some(l) = s.kb.license(&text[start..end]) {
                        links.push(DocumentLink {
                            range: convert::range(text, index, &(start..end), s.encoding),
                            target: l.url.parse().ok(),
                            tooltip: Some(format!("Open the {}", l.name)),
                            data: None,
                        });
                    }
                    i = end + 1;
                } else {
                    i += 1;
                }
            }
        }
        Some(links)
    })
}
