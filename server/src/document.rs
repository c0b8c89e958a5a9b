//! An open document: its text, line index and references, kept up to date edit by
//! edit without re-scanning the whole text.
//!
//! Invariants:
//! * After any sequence of [`Document::edit`] calls, `refs` equals what
//!   [`detect::detect`] returns for the current text (a property test and the
//!   `lsp_edits` fuzz target check this against random edits). An edit re-scans only a
//!   window around it: the detector's context never looks further than
//!   [`context::SCAN_BACK`] bytes back, [`context::SCAN_FORWARD`] bytes forward, or
//!   (YAML, TOML, Markdown) [`context::PARENT_LINES`] lines up; a library call reads at
//!   most [`calls::WINDOW`] bytes of arguments; no reference is longer than
//!   [`detect::MAX_WORD`] bytes. So words outside the window keep their result.
//! * The window is cut at the detector's lines, which end at `\n` only (its parent
//!   lines are `str::lines`), not at the line index's lines, which also end at a lone
//!   `\r` (so that a file with lone `\r` line ends keeps its references).
//! * In Markdown, an edit on a line holding a backtick or a tilde (a code fence may
//!   open or close there) re-scans to the end of the text.
//! * Edit ranges are clamped to the text and to character boundaries; no edit panics.
//! * Notebooks are re-scanned whole: their cell boundaries depend on the whole JSON.
//! * An edit that changes the sequence of base-URL endpoints' localities
//!   ([`local::endpoints`]) re-scans the whole text: an endpoint decides whether the
//!   closed API names after it are reported.

use std::ops::Range;

use crate::detect::{self, FileKind, calls, context, local};
use crate::kb::KnowledgeBase;
use crate::resolve::Reference;
use crate::text::LineIndex;

/// The part of a text re-scanned after an edit.
struct Window {
    /// Where the scan starts (a line start).
    scan: usize,
    /// References starting before this offset are kept from before the edit; the scan
    /// provides those from here on.
    keep: usize,
    /// Where the scan ends (a line start, or the end of the text); references starting
    /// after it are kept from before the edit, shifted.
    end: usize,
}

/// Whether the lines of `text` that `range` touches hold a backtick or a tilde (so may
/// open or close a Markdown code fence).
fn touches_fence(text: &str, range: Range<usize>) -> bool {
    let b = text.as_bytes();
    let from = memchr::memrchr(b'\n', &b[..range.start]).map_or(0, |i| i + 1);
    let to = memchr::memchr(b'\n', &b[range.end..]).map_or(b.len(), |i| range.end + i);
    b[from..to].iter().any(|&c| c == b'`' || c == b'~')
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Current text.
    pub text: String,
    /// Kind, if fineprint reads this kind of file.
    pub kind: Option<FileKind>,
    /// Line index of `text`.
    pub index: LineIndex,
    /// References, in order.
    pub refs: Vec<Reference>,
    /// Whether each base-URL endpoint of the text is local, in order (closed API names
    /// after a local one are aliases, left out).
    local: Vec<bool>,
}

/// The localities of endpoints, in order.
fn localities(endpoints: &[(usize, bool)]) -> Vec<bool> {
    endpoints.iter().map(|(_, local)| *local).collect()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Document {
    /// Opens a document and scans it.
    pub fn new(text: String, kind: Option<FileKind>, kb: &KnowledgeBase) -> Self {
        let index = LineIndex::new(&text);
        let refs = kind.map_or_else(Vec::new, |k| detect::detect(&text, k, kb));
        let markdown = kind == Some(FileKind::Markdown);
        let local = localities(&local::endpoints(&text, markdown));
        Self {
            text,
            kind,
            index,
            refs,
            local,
        }
    }

    /// Re-scans the whole text (after a change of rules).
    pub fn rescan(&mut self, kb: &KnowledgeBase) {
        self.refs = self
            .kind
            .map_or_else(Vec::new, |k| detect::detect(&self.text, k, kb));
    }

    /// Replaces the whole text.
    pub fn replace_all(&mut self, text: String, kb: &KnowledgeBase) {
        *self = Self::new(text, self.kind, kb);
    }

    /// Replaces `range` (bytes; clamped) with `new_text` and updates the references.
    /// Returns the byte range of the text that was re-scanned.
    pub fn edit(
        &mut self,
        range: Range<usize>,
        new_text: &str,
        kb: &KnowledgeBase,
    ) -> Range<usize> {
        let start = floor_boundary(&self.text, range.start);
        let end = floor_boundary(&self.text, range.end.max(start));
        // A fence line edited (before or after) in Markdown changes the kind of every
        // line below it.
        let fences_touched =
            self.kind == Some(FileKind::Markdown) && touches_fence(&self.text, start..end);
        self.text.replace_range(start..end, new_text);
        self.index.edit(&self.text, start..end, new_text.len());
        let Some(kind) = self.kind else { return 0..0 };
        let endpoints = local::endpoints(&self.text, kind == FileKind::Markdown);
        let local = localities(&endpoints);
        if kind == FileKind::Notebook || local != self.local {
            self.local = local;
            self.refs = detect::detect(&self.text, kind, kb);
            return 0..self.text.len();
        }
        let delta = new_text.len() as isize - (end - start) as isize;
        let new_end = start + new_text.len();
        let fences_touched = fences_touched || touches_fence(&self.text, start..new_end);
        let w = self.window(kind, start, new_end, fences_touched);
        let old_w_end = (w.end as isize - delta) as usize;

        let mut fresh = Vec::new();
        detect::scan_range(&self.text, w.scan..w.end, kind, kb, &mut fresh);
        local::drop_local_aliases(kb, &endpoints, &mut fresh);
        let mut refs = Vec::with_capacity(self.refs.len() + fresh.len());
        refs.extend(self.refs.iter().filter(|r| r.span.start < w.keep).cloned());
        refs.extend(
            fresh
                .into_iter()
                .filter(|r| r.span.start >= w.keep && r.span.start < w.end),
        );
        refs.extend(
            self.refs
                .iter()
                .filter(|r| r.span.start >= old_w_end)
                .map(|r| {
                    let mut r = r.clone();
                    r.span = (r.span.start as isize + delta) as usize
                        ..(r.span.end as isize + delta) as usize;
                    r
                }),
        );
        self.refs = refs;
        w.scan..w.end
    }

    /// The window re-scanned after an edit that left `start..new_end` as new text.
    fn window(&self, kind: FileKind, start: usize, new_end: usize, to_the_end: bool) -> Window {
        let b = self.text.as_bytes();
        // The start of the line above the one holding `from - by`.
        let line_back = |from: usize, by: usize| {
            let at = from.saturating_sub(by).min(b.len());
            memchr::memrchr(b'\n', &b[..at])
                .and_then(|i| memchr::memrchr(b'\n', &b[..i]))
                .map_or(0, |i| i + 1)
        };
        // Words before `keep` keep their result: a word's context reads at most
        // SCAN_FORWARD bytes on, and a library call at most calls::WINDOW bytes after
        // its `(` (where its reference begins), so their results cannot see the edit.
        let keep = line_back(
            start,
            calls::WINDOW + context::SCAN_FORWARD + detect::MAX_WORD + 2,
        );
        // The scan starts a call window earlier, so that at `keep` it skips the same
        // words as a scan from the start (a call before the window names no word
        // after `keep`).
        let scan = line_back(keep, calls::WINDOW + detect::MAX_WORD + 2);
        let len = self.text.len();
        if to_the_end {
            return Window {
                scan,
                keep,
                end: len,
            };
        }
        // The start of the `n`-th line after the one holding `at` (or the end).
        let lines_on = |at: usize, n: usize| {
            let at = at.min(len);
            memchr::memchr_iter(b'\n', &b[at..])
                .nth(n - 1)
                .map_or(len, |i| at + i + 1)
        };
        let reach = context::SCAN_BACK.max(calls::WINDOW) + detect::MAX_WORD + 2;
        let mut end = lines_on(new_end + reach, 2);
        if matches!(kind, FileKind::Yaml | FileKind::Toml | FileKind::Markdown) {
            end = end.max(lines_on(new_end, context::PARENT_LINES + 3));
        }
        Window { scan, keep, end }
    }

    /// The reference whose span contains (or touches) a byte offset.
    pub fn reference_at(&self, offset: usize) -> Option<&Reference> {
        let i = self.refs.partition_point(|r| r.span.end < offset);
        self.refs
            .get(i)
            .filter(|r| r.span.start <= offset && offset <= r.span.end)
    }
}
