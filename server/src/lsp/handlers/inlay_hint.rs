//! `textDocument/inlayHint`: a short license label after each reference
//! (`Llama 3.1 License · ≤700M MAU`), unless the `inlayHints` setting is off.
//!
//! Where the hint goes: after the closing quote of the string literal that holds the
//! reference (`"meta-llama/Llama-3.1-8B"▸hint`), or at the end of the line when the
//! reference is not in a quoted literal (a comment, YAML, Markdown prose); never inside
//! the string, where it would read as part of the model id.

use tower_lsp_server::ls_types::*;

use crate::card::short_label;
use crate::lsp::{Backend, convert};
use crate::text::LineIndex;

/// How far past a reference the closing quote is looked for; a string longer than
/// this gets its hint at the end of the line.
const MAX_STRING_TAIL: usize = 4096;

/// Finds hint offsets for references given in text order, carrying the quote state
/// along a line so that many references on one long line cost the line once.
struct Placer {
    /// Start of the line scanned, and how far it was scanned.
    line: usize,
    at: usize,
    /// The quote character open at `at`, if any.
    open: Option<u8>,
}

impl Placer {
    fn new() -> Self {
        Self {
            line: usize::MAX,
            at: 0,
            open: None,
        }
    }

    /// The byte offset of the hint for a reference spanning `span`.
    fn offset(&mut self, text: &str, index: &LineIndex, span: &std::ops::Range<usize>) -> usize {
        let b = text.as_bytes();
        let line = index.line_of(span.start);
        let lr = index.line_range(text, line);
        if line != self.line || span.start < self.at {
            self.line = line;
            self.at = lr.start;
            self.open = None;
        }
        // The quote state at the reference's start, from the line's start.
        let mut i = self.at;
        while i < span.start.min(lr.end) {
            let c = b[i];
            match self.open {
                Some(_) if c == b'\\' => i += 1,
                Some(q) if c == q => self.open = None,
                None if matches!(c, b'"' | b'\'' | b'`') => self.open = Some(c),
                _ => {}
            }
            i += 1;
        }
        self.at = i.max(span.start.min(lr.end));
        let Some(q) = self.open else {
            return lr.end;
        };
        // The closing quote after the reference (and any quotes of a triple quote).
        let limit = lr.end.min(span.end.saturating_add(MAX_STRING_TAIL));
        let mut j = span.end.min(lr.end);
        while j < limit {
            match b[j] {
                b'\\' => j += 2,
                c if c == q => {
                    let mut k = j + 1;
                    while k < lr.end && b[k] == q {
                        k += 1;
                    }
                    return k;
                }
                _ => j += 1,
            }
        }
        lr.end
    }
}

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
        let mut placer = Placer::new();
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
                let at = placer.offset(text, index, &r.span);
                InlayHint {
                    position: convert::position(text, index, at, s.encoding),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, the reference, the text before the hint's position)
    const CASES: &[(&str, &str, &str)] = &[
        ("m = \"org/model\"\n", "org/model", "m = \"org/model\""),
        ("m = 'org/model'  # x\n", "org/model", "m = 'org/model'"),
        (
            "m = f\"{x}org/model:q4\" + y\n",
            "org/model",
            "m = f\"{x}org/model:q4\"",
        ),
        (
            "d = \"\"\"org/model\"\"\"\n",
            "org/model",
            "d = \"\"\"org/model\"\"\"",
        ),
        (
            "s = \"a\\\"b org/model c\"\n",
            "org/model",
            "s = \"a\\\"b org/model c\"",
        ),
        (
            "# use org/model here\nx\n",
            "org/model",
            "# use org/model here",
        ),
        (
            "model: org/model\r\nx: 1\r\n",
            "org/model",
            "model: org/model",
        ),
        ("Use `org/model` now.\n", "org/model", "Use `org/model`"),
        (
            "# don't use org/model\n",
            "org/model",
            "# don't use org/model",
        ),
        ("x = \"org/model", "org/model", "x = \"org/model"),
    ];

    #[test]
    fn hints_go_after_the_string_or_at_the_line_end() {
        for (text, id, before) in CASES {
            let start = text.find(id).unwrap_or(0);
            let index = LineIndex::new(text);
            let at = Placer::new().offset(text, &index, &(start..start + id.len()));
            assert_eq!(&text[..at], *before, "{text:?}");
        }
    }

    #[test]
    fn references_along_one_line_keep_the_quote_state() {
        let text = "a = [\"org/one\", 'org/two', \"x's\"] # org/three\n";
        let index = LineIndex::new(text);
        let mut p = Placer::new();
        let got: Vec<&str> = ["org/one", "org/two", "org/three"]
            .iter()
            .map(|id| {
                let s = text.find(id).unwrap_or(0);
                &text[..p.offset(text, &index, &(s..s + id.len()))]
            })
            .collect();
        assert_eq!(
            got,
            [
                "a = [\"org/one\"",
                "a = [\"org/one\", 'org/two'",
                text.trim_end()
            ]
        );
    }
}
