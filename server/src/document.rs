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
//! * Edits can be applied to the text alone ([`Document::apply`], cheap) and the
//!   references brought up to date later, once for all of them ([`Document::analyse`]):
//!   the pending edits are kept as one changed range of the current text (the union
//!   of their ranges) and the shift of what follows it, so one window scan covers
//!   them all. [`Document::edit`] is `apply` then `analyse`. Until `analyse`, `refs`
//!   describe the text as it was when last analysed ([`Document::is_analysed`]).
//! * `text` and `index` are shared (`Arc`): a snapshot for work outside the server's
//!   lock costs two reference counts; the next edit copies what is still shared.
//! * Notebooks are re-scanned whole: their cell boundaries depend on the whole JSON.
//! * An edit that changes the sequence of base-URL endpoints' localities
//!   ([`local::endpoints`]) re-scans the whole text: an endpoint decides whether the
//!   closed API names after it are reported.

use std::ops::Range;
use std::sync::Arc;

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

/// Edits applied to the text and not yet analysed: outside `start..end` (offsets in
/// the current text) the text equals the analysed one, shifted by `delta` after `end`.
#[derive(Debug, Clone, Copy)]
struct Pending {
    start: usize,
    end: usize,
    delta: isize,
    /// A line that may open or close a Markdown code fence was edited.
    fences: bool,
    /// The whole text was replaced: re-scan it all.
    whole: bool,
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Current text.
    pub text: Arc<String>,
    /// Kind, if fineprint reads this kind of file.
    pub kind: Option<FileKind>,
    /// Line index of `text`.
    pub index: Arc<LineIndex>,
    /// References, in order (of the text as last analysed).
    pub refs: Vec<Reference>,
    /// Whether each base-URL endpoint of the text is local, in order (closed API names
    /// after a local one are aliases, left out).
    local: Vec<bool>,
    /// Edits not analysed yet.
    pending: Option<Pending>,
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
            text: Arc::new(text),
            kind,
            index: Arc::new(index),
            refs,
            local,
            pending: None,
        }
    }

    /// Re-scans the whole text (after a change of rules).
    pub fn rescan(&mut self, kb: &KnowledgeBase) {
        self.pending = None;
        let markdown = self.kind == Some(FileKind::Markdown);
        self.local = localities(&local::endpoints(&self.text, markdown));
        self.refs = self
            .kind
            .map_or_else(Vec::new, |k| detect::detect(&self.text, k, kb));
    }

    /// Replaces the whole text; the references follow at the next
    /// [`analyse`](Self::analyse).
    pub fn replace_all(&mut self, text: String) {
        self.index = Arc::new(LineIndex::new(&text));
        self.text = Arc::new(text);
        self.pending = Some(Pending {
            start: 0,
            end: self.text.len(),
            delta: 0,
            fences: false,
            whole: true,
        });
    }

    /// Whether `refs` describe the current text (no edit is waiting for
    /// [`analyse`](Self::analyse)).
    pub fn is_analysed(&self) -> bool {
        self.pending.is_none()
    }

    /// Replaces `range` (bytes; clamped) with `new_text` in the text and its line
    /// index only: O(length of the text) for the copy, no scan. The references follow
    /// at the next [`analyse`](Self::analyse), once for every edit applied until then.
    pub fn apply(&mut self, range: Range<usize>, new_text: &str) {
        let start = floor_boundary(&self.text, range.start);
        let end = floor_boundary(&self.text, range.end.max(start));
        // A fence line edited (before or after) in Markdown changes the kind of every
        // line below it.
        let markdown = self.kind == Some(FileKind::Markdown);
        let mut fences = markdown && touches_fence(&self.text, start..end);
        Arc::make_mut(&mut self.text).replace_range(start..end, new_text);
        Arc::make_mut(&mut self.index).edit(&self.text, start..end, new_text.len());
        let new_end = start + new_text.len();
        fences = fences || (markdown && touches_fence(&self.text, start..new_end));
        let delta = new_text.len() as isize - (end - start) as isize;
        self.pending = Some(match self.pending {
            None => Pending {
                start,
                end: new_end,
                delta,
                fences,
                whole: false,
            },
            // The union of the two changed ranges, in the text after this edit: an
            // end of the earlier range beyond this edit moves with the text after it.
            Some(p) => Pending {
                start: p.start.min(start),
                end: if p.end > end {
                    (p.end as isize + delta) as usize
                } else {
                    new_end
                },
                delta: p.delta + delta,
                fences: p.fences || fences,
                whole: p.whole,
            },
        });
    }

    /// Replaces `range` (bytes; clamped) with `new_text` and updates the references.
    /// Returns the byte range of the text that was re-scanned.
    pub fn edit(
        &mut self,
        range: Range<usize>,
        new_text: &str,
        kb: &KnowledgeBase,
    ) -> Range<usize> {
        self.apply(range, new_text);
        self.analyse(kb)
    }

    /// Brings the references up to date with every edit applied since the last
    /// analysis, scanning one window around all of them. Returns the byte range of
    /// the text that was re-scanned (empty when nothing was pending).
    pub fn analyse(&mut self, kb: &KnowledgeBase) -> Range<usize> {
        let Some(p) = self.pending.take() else {
            return 0..0;
        };
        let Some(kind) = self.kind else { return 0..0 };
        let endpoints = local::endpoints(&self.text, kind == FileKind::Markdown);
        let local = localities(&endpoints);
        if p.whole || kind == FileKind::Notebook || local != self.local {
            self.local = local;
            self.refs = detect::detect(&self.text, kind, kb);
            return 0..self.text.len();
        }
        let delta = p.delta;
        let w = self.window(kind, p.start, p.end, p.fences);
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
