//! `textDocument/completion`, in policy files only: license ids inside `allow` and
//! `deny`, finding codes under `[severity]`, and keys at the start of a line.

use tower_lsp_server::ls_types::*;

use crate::findings::Code;
use crate::lsp::state::is_policy_file;
use crate::lsp::{Backend, convert};
use crate::policy::KEY_DOCS;

/// Handles `completion`.
pub fn run(b: &Backend, params: CompletionParams) -> Option<Option<CompletionResponse>> {
    let pos = params.text_document_position;
    if !is_policy_file(&pos.text_document.uri) {
        return Some(None);
    }
    b.with_state(|s| {
        s.refresh(&pos.text_document.uri);
        let open = s.docs.get(&pos.text_document.uri)?;
        let (text, index) = (&open.doc.text, &open.doc.index);
        let offset = convert::offset(text, index, pos.position, s.encoding);
        let line = index.line_of(offset);
        let line_start = index.line_start(line);
        let before = text.get(line_start..offset).unwrap_or("");
        let section = text
            .get(..line_start)
            .unwrap_or("")
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('['))
            .map(|l| l.trim().trim_matches(['[', ']']).to_string())
            .unwrap_or_default();
        let in_string = before.matches('"').count() % 2 == 1;
        let items: Vec<CompletionItem> = if in_string
            && (before.contains("allow")
                || before.contains("deny")
                || is_continuation(text, line_start))
        {
            s.kb.licenses
                .iter()
                .map(|l| CompletionItem {
                    label: l.id.clone(),
                    kind: Some(CompletionItemKind::VALUE),
                    detail: Some(l.name.clone()),
                    documentation: Some(Documentation::String(l.summary.clone())),
                    ..CompletionItem::default()
                })
                .collect()
        } else if section.ends_with("severity") && !before.contains('=') {
            Code::ALL
                .iter()
                .map(|c| CompletionItem {
                    label: c.as_str().into(),
                    kind: Some(CompletionItemKind::PROPERTY),
                    detail: Some(c.description().into()),
                    ..CompletionItem::default()
                })
                .collect()
        } else if before.trim().is_empty() || !before.contains('=') && !in_string {
            KEY_DOCS
                .iter()
                .map(|(k, d)| CompletionItem {
                    label: (*k).into(),
                    kind: Some(CompletionItemKind::PROPERTY),
                    detail: Some((*d).into()),
                    ..CompletionItem::default()
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(CompletionResponse::Array(items))
    })
}

/// Whether the line continues an `allow = [` or `deny = [` list from lines above.
fn is_continuation(text: &str, line_start: usize) -> bool {
    let head = text.get(..line_start).unwrap_or("");
    for l in head.lines().rev() {
        let t = l.trim();
        if t.contains(']') {
            return false;
        }
        if t.starts_with("allow") || t.starts_with("deny") {
            return t.contains('[');
        }
    }
    false
}
