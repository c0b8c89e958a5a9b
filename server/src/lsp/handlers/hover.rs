//! `textDocument/hover`: the license card of the reference under the cursor, then the
//! full text of each finding (the diagnostics themselves are short); in a policy
//! file, the meaning of a key or the card of a license id.

use std::fmt::Write as _;

use tower_lsp_server::ls_types::*;

use crate::card::{hover_card, license_card, reference_card};
use crate::check::findings_for;
use crate::findings::Severity;
use crate::lsp::state::is_policy_file;
use crate::lsp::{Backend, convert};
use crate::policy::KEY_DOCS;

fn markdown(value: String, range: Option<Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

/// The word (letters, digits, `._-:*`) around a byte offset.
pub fn word_at(text: &str, offset: usize) -> Option<(std::ops::Range<usize>, &str)> {
    let b = text.as_bytes();
    let is_w = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+' | b'*');
    let mut s = offset.min(b.len());
    while s > 0 && is_w(b[s - 1]) {
        s -= 1;
    }
    let mut e = offset.min(b.len());
    while e < b.len() && is_w(b[e]) {
        e += 1;
    }
    (s < e).then(|| (s..e, &text[s..e]))
}

/// Handles `hover` (`full`: the whole card, for the explain command).
pub fn run(b: &Backend, params: HoverParams, full: bool) -> Option<Option<Hover>> {
    let pos = params.text_document_position_params;
    b.with_state(|s| {
        s.refresh(&pos.text_document.uri);
        let open = s.docs.get(&pos.text_document.uri)?;
        let (text, index) = (&open.doc.text, &open.doc.index);
        let offset = convert::offset(text, index, pos.position, s.encoding);
        if let Some(r) = open.doc.reference_at(offset) {
            let findings = findings_for(text, index, r, &s.kb, &s.policy, &crate::policy::today());
            let range = convert::range(text, index, &r.span, s.encoding);
            let card = if full {
                reference_card(r, &s.kb, &findings)
            } else {
                let mut card = hover_card(r, &s.kb, &findings, s.policy.use_case.as_str());
                // The diagnostics are short (restriction and license); the clauses they
                // rest on are written out here.
                // The card names the license: the clause alone follows each code.
                let prefix = r.resolution.as_ref().map(|res| {
                    format!(
                        "{} is under the {}: ",
                        crate::findings::display_name(r),
                        res.license(&s.kb).name
                    )
                });
                for d in findings.iter().filter(|d| d.severity < Severity::Hint) {
                    let text = prefix
                        .as_deref()
                        .and_then(|p| d.message.strip_prefix(p))
                        .unwrap_or(&d.message);
                    let _ = write!(card, "\n**`{}`**: {text}\n", d.code.as_str());
                }
                card
            };
            return Some(markdown(card, Some(range)));
        }
        if is_policy_file(&pos.text_document.uri) {
            let (span, word) = word_at(text, offset)?;
            let range = Some(convert::range(text, index, &span, s.encoding));
            if let Some((k, doc)) = KEY_DOCS.iter().find(|(k, _)| *k == word) {
                return Some(markdown(format!("**`{k}`**: {doc}"), range));
            }
            if let Some(l) = s.kb.license(word) {
                return Some(markdown(license_card(l), range));
            }
            if let Some(c) = crate::findings::Code::parse(word) {
                return Some(markdown(
                    format!("**`{}`**: {}", c.as_str(), c.description()),
                    range,
                ));
            }
        }
        None
    })
}
