//! `textDocument/inlayHint`: a short license label after each reference
//! (`Llama 3.1 License · ≤700M MAU`), unless the `inlayHints` setting is off.

use tower_lsp_server::ls_types::*;

use crate::card::short_label;
use crate::lsp::{Backend, convert};

/// Handles `inlayHint`.
pub fn run(b: &Backend, params: InlayHintParams) -> Option<Option<Vec<InlayHint>>> {
    b.with_state(|s| {
        if !s.settings.inlay_hints {
            return None;
        }
        s.refresh(&params.text_document.uri);
        let open = s.docs.get(&params.text_document.uri)?;
        let (text, index) = (&open.doc.text, &open.doc.index);
        let want = convert::span(text, index, params.range, s.encoding);
        let hints = open
            .doc
            .refs
            .iter()
            .filter(|r| r.span.end >= want.start && r.span.start <= want.end)
            .map(|r| {
                let (label, tooltip) = match &r.resolution {
                    Some(res) => {
                        let l = res.license(&s.kb);
                        (short_label(l), format!("{} ({})", l.name, l.id))
                    }
                    None => (
                        "license unknown".to_string(),
                        "fineprint has no rule for this model".to_string(),
                    ),
                };
                InlayHint {
                    position: convert::position(text, index, r.span.end, s.encoding),
                    label: InlayHintLabel::String(label),
                    kind: None,
                    text_edits: None,
                    tooltip: Some(InlayHintTooltip::String(tooltip)),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                }
            })
            .collect();
        Some(hints)
    })
}
