//! An open document: its text, line index and references, kept up to date edit by
//! edit without re-scanning the whole text.
//!
//! Invariants:
//! * After any sequence of [`Document::edit`] calls, `refs` equals what
//!   [`detect::detect`] returns for the current text (property tests and the
//!   `lsp_edits` fuzz target check this against random edits, also inside a 40 KB
//!   line). An edit re-scans only a window around it, cut at byte distances from it:
//!   every reader of the detector reads a bounded distance around a word
//!   ([`REACH_BACK`] before its start: its line's [`context::SCAN_BACK`] bytes, the line
//!   above, runs of at most [`context::MAX_RUN`] bytes; [`REACH_ON`] after it: the
//!   word's [`detect::MAX_WORD`], a call's [`calls::WINDOW`], [`context::SCAN_FORWARD`]),
//!   so words further from the edit keep their result, and the text read from the
//!   rope is the window and those distances around it. The scan starts
//!   [`CALL_REACH`] before the first word whose result it keeps, and before any
//!   library call whose reference may cross its start, and it goes on past any
//!   library call's reference that crosses its end (before the edits or after them),
//!   so that it skips the words a scan from the text's start skips.
//! * The window's ends are points where a word scan may start or end ([`cut_at`]): a
//!   line start, or just after a byte of no word that is no backslash (in a long line
//!   of base64, a `+` or a quote a few bytes away). So an edit inside a long line
//!   re-scans a window of a few KB of it, whatever its length
//!   (`incremental.rs`: the same size inside a 100 KB and a 1 MB line). Inside a run
//!   of word bytes (a line of letters only) the cut is where the run starts or ends:
//!   linear in that run.
//! * YAML and TOML: a word that sees its line start (within [`context::SCAN_BACK`]) reads
//!   the parents above it ([`context::PARENT_BYTES`], [`context::PARENT_LINES`]): the
//!   text read starts that far above the first line start a word of the window may
//!   see, and an edit re-scans the next PARENT_LINES lines (within PARENT_BYTES and
//!   SCAN_BACK bytes), unless it changed no line end on a line longer than
//!   PARENT_BYTES, which no line takes as a parent (the parents read are whole
//!   lines within PARENT_BYTES above a line).
//! * Markdown keeps the window cut at its lines (a code fence opened or closed changes
//!   the kind of every line below it) and reads its whole text (its fences are tracked
//!   from the start and its endpoints count headings): an edit inside a long Markdown
//!   line re-scans that line. Its lines are the detector's, which end at `\n` only
//!   (its parent lines are `str::lines`), not the line index's, which also end at a
//!   lone `\r` (so that a file with lone `\r` line ends keeps its references).
//! * In Markdown, an edit on a line holding a backtick or a tilde (a code fence may
//!   open or close there) re-scans to the end of the text.
//! * Edit ranges are clamped to the text and to character boundaries; no edit panics.
//! * Edits can be applied to the text alone ([`Document::apply`], cheap) and the
//!   references brought up to date later, once for all of them ([`Document::analyse`]):
//!   the pending edits are kept as one changed range of the current text (the union
//!   of their ranges) and the shift of what follows it, so one window scan covers
//!   them all. [`Document::edit`] is `apply` then `analyse`. Until `analyse`, `refs`
//!   describe the text as it was when last analysed ([`Document::is_analysed`]).
//! * The text is held in a rope ([`ropey::Rope`], lines ending at `\n`, `\r\n` and a
//!   lone `\r`, as the line index's): an edit costs O(log n) plus its own length,
//!   never a copy of the document, so a burst of edits on a 50 MB document costs
//!   microseconds per edit. The analysis window is read from the rope (the window
//!   and the context the detector may read around it, above), and so are the
//!   base-URL endpoints around the edits ([`Document::last_read`] tells what was read).
//! * `text` and `index` are a flat copy of the text as last analysed, for the readers
//!   of references (diagnostics, hover, code actions), which [`Document::analyse`]
//!   brings up to date once for every edit applied since: one splice of the changed
//!   range and one update of the line index. They are shared (`Arc`): a snapshot for
//!   work outside the server's lock costs two reference counts; the next analysis
//!   copies what is still shared. Until then the current text is [`Document::rope`]
//!   (positions of edits are converted on it: [`crate::text::rope_offset`]).
//! * Notebooks are re-scanned whole: their cell boundaries depend on the whole JSON.
//! * An edit that changes the sequence of base-URL endpoints' localities
//!   ([`local::endpoints`]) re-scans the whole text: an endpoint decides whether the
//!   closed API names after it are reported.

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use crate::detect::{self, FileKind, calls, context, local};
use crate::kb::KnowledgeBase;
use crate::resolve::{RefKind, Reference};
use crate::text::LineIndex;

/// How far before a word's start the detector reads (bytes), a YAML or TOML parent
/// aside: the word's line ([`context::SCAN_BACK`]), the line above it (a key or a
/// continued command that ends it: [`context::SCAN_BACK`] more), and the runs of
/// blanks, quotes and identifier bytes read back from there ([`context::MAX_RUN`]
/// each); a flag, a comment marker or a quote are read within these too.
const REACH_BACK: usize = 2 * context::SCAN_BACK + 4 * context::MAX_RUN + 64;
/// How far after a word's start the detector reads: the word ([`detect::MAX_WORD`]),
/// then a call's arguments ([`calls::WINDOW`]), a statement ([`context::SCAN_FORWARD`])
/// or a run of blanks and quotes ([`context::MAX_RUN`]).
const REACH_ON: usize =
    detect::MAX_WORD + calls::WINDOW + context::SCAN_FORWARD + context::MAX_RUN + 64;
/// How far after its call word's start a library call's reference ends (the word, its
/// `(` and at most [`calls::WINDOW`] bytes of arguments): the words a scan skips
/// after a call lie within it.
const CALL_REACH: usize = detect::MAX_WORD + calls::WINDOW + 2;
/// How far before a line start a YAML or TOML word's parents are read
/// ([`context::PARENT_BYTES`]), and how far after its line start a word still sees it
/// ([`context::SCAN_BACK`]; the classifier's line is cut there).
const PARENT_REACH: usize = context::PARENT_BYTES + 8;
/// How far before an endpoint ([`local::endpoints`]) its base-URL key is read.
const ENDPOINT_BACK: usize = 64;

/// The part of a text re-scanned after an edit.
struct Window {
    /// Where the scan starts (a line start, or inside a line where [`cut_at`] allows).
    scan: usize,
    /// References starting before this offset are kept from before the edit; the scan
    /// provides those from here on.
    keep: usize,
    /// Where the scan ends (a point [`cut_at`] allows, or the end of the text);
    /// references starting after it are kept from before the edit, shifted.
    end: usize,
}

/// Whether the lines of `text` that `range` touches hold a backtick or a tilde (so may
/// open or close a Markdown code fence).
fn touches_fence(text: &Rope, range: Range<usize>) -> bool {
    let from = rfind(text, b'\n', range.start).map_or(0, |i| i + 1);
    let to = find(text, b'\n', range.end).unwrap_or(text.len_bytes());
    text.byte_slice(from..to.max(from))
        .chunks()
        .any(|c| c.bytes().any(|c| c == b'`' || c == b'~'))
}

/// The offset of the last `needle` before `before` in the rope (chunk by chunk).
fn rfind(text: &Rope, needle: u8, before: usize) -> Option<usize> {
    let before = before.min(text.len_bytes());
    if before == 0 {
        return None;
    }
    let (mut chunks, mut start, _, _) = text.chunks_at_byte(before - 1);
    let chunk = chunks.next()?;
    if let Some(i) = memchr::memrchr(needle, &chunk.as_bytes()[..before - start]) {
        return Some(start + i);
    }
    // The cursor is after the chunk just read: step back over it, then on.
    chunks.prev();
    while let Some(chunk) = chunks.prev() {
        start -= chunk.len();
        if let Some(i) = memchr::memrchr(needle, chunk.as_bytes()) {
            return Some(start + i);
        }
    }
    None
}

/// The offset of the first `needle` at or after `from` in the rope.
fn find(text: &Rope, needle: u8, from: usize) -> Option<usize> {
    let from = from.min(text.len_bytes());
    let (chunks, mut start, _, _) = text.chunks_at_byte(from);
    for chunk in chunks {
        let skip = from.saturating_sub(start).min(chunk.len());
        if let Some(i) = memchr::memchr(needle, &chunk.as_bytes()[skip..]) {
            return Some(start + skip + i);
        }
        start += chunk.len();
    }
    None
}

/// The offset of the `n`-th `needle` at or after `from` (n >= 1).
fn find_nth(text: &Rope, needle: u8, from: usize, n: usize) -> Option<usize> {
    let mut at = from;
    let mut found = None;
    for _ in 0..n {
        let i = find(text, needle, at)?;
        found = Some(i);
        at = i + 1;
    }
    found
}

/// The offset of the first `needle` in `from..to` of the rope.
fn find_in(text: &Rope, needle: u8, from: usize, to: usize) -> Option<usize> {
    let to = to.min(text.len_bytes());
    if from >= to {
        return None;
    }
    let (chunks, mut start, _, _) = text.chunks_at_byte(from);
    for chunk in chunks {
        if start >= to {
            break;
        }
        let skip = from.saturating_sub(start).min(chunk.len());
        let stop = (to - start).min(chunk.len());
        if skip < stop
            && let Some(i) = memchr::memchr(needle, &chunk.as_bytes()[skip..stop])
        {
            return Some(start + skip + i);
        }
        start += chunk.len();
    }
    None
}

/// The offset of the last `needle` in `floor..before` of the rope.
fn find_back(text: &Rope, needle: u8, before: usize, floor: usize) -> Option<usize> {
    let before = before.min(text.len_bytes());
    if floor >= before {
        return None;
    }
    let (mut chunks, mut start, _, _) = text.chunks_at_byte(before - 1);
    let chunk = chunks.next()?;
    let from = floor.saturating_sub(start);
    if let Some(i) = memchr::memrchr(needle, &chunk.as_bytes()[from..before - start]) {
        return Some(start + from + i);
    }
    chunks.prev();
    while start > floor
        && let Some(chunk) = chunks.prev()
    {
        start -= chunk.len();
        let from = floor.saturating_sub(start);
        if let Some(i) = memchr::memrchr(needle, &chunk.as_bytes()[from..]) {
            return Some(start + from + i);
        }
    }
    None
}

/// Whether `b` belongs to a word of the detector (`A-Za-z0-9._-/:@~`).
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':' | b'@' | b'~')
}

/// Whether the detector's word scan may start or end at `p`, given the bytes before and
/// at it: the start or end of the text, or a character boundary just after a byte that
/// belongs to no word and is no backslash. A scan from the text's start reaches such a
/// point outside any word (a backslash before it, which skips the byte after it in
/// JSON, can only skip that byte to land on it), so a scan from there finds the same
/// words after it, and no word crosses it.
fn cut_at(before: Option<u8>, at: Option<u8>) -> bool {
    match (before, at) {
        (None, _) | (_, None) => true,
        (Some(b), Some(c)) => !word_byte(b) && b != b'\\' && (c & 0xC0) != 0x80,
    }
}

/// The last point at or before `at` where a word scan may start ([`cut_at`]). Inside
/// a long line, a few bytes before `at`; inside a run of word bytes, where it starts.
fn cut_back(text: &Rope, at: usize) -> usize {
    let mut p = at.min(text.len_bytes());
    let mut next = text.get_byte(p);
    let mut bytes = text.bytes_at(p);
    loop {
        let before = bytes.prev();
        if cut_at(before, next) {
            return p;
        }
        next = before;
        p -= 1;
    }
}

/// The first point at or after `at` where a word scan may end ([`cut_at`]).
fn cut_on(text: &Rope, at: usize) -> usize {
    let mut p = at.min(text.len_bytes());
    let mut before = p.checked_sub(1).and_then(|i| text.get_byte(i));
    let mut bytes = text.bytes_at(p);
    loop {
        let next = bytes.next();
        if cut_at(before, next) {
            return p;
        }
        before = next;
        p += 1;
    }
}

/// The text of `range` of the rope (on character boundaries) as one string.
fn flat(text: &Rope, range: Range<usize>) -> String {
    let mut s = String::with_capacity(range.len());
    for c in text.byte_slice(range).chunks() {
        s.push_str(c);
    }
    s
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
    /// A line end (`\n`) was inserted or removed: the lines are not those analysed.
    newlines: bool,
    /// The whole text was replaced: re-scan it all.
    whole: bool,
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The current text: every edit lands here.
    rope: Rope,
    /// The text as last analysed (the current text once [`Document::analyse`] ran).
    pub text: Arc<String>,
    /// Kind, if fineprint reads this kind of file.
    pub kind: Option<FileKind>,
    /// Line index of `text`.
    pub index: Arc<LineIndex>,
    /// References, in order (of the text as last analysed).
    pub refs: Vec<Reference>,
    /// The base-URL endpoints of the text as last analysed, in order: offset and
    /// whether it is local (closed API names after a local one are aliases, left out).
    endpoints: Vec<(usize, bool)>,
    /// Edits not analysed yet.
    pending: Option<Pending>,
    /// What the last analysis read from the rope ([`Document::last_read`]).
    read: Range<usize>,
}

/// The start of the character holding byte `i` (clamped to the text).
fn floor_boundary(text: &Rope, i: usize) -> usize {
    let i = i.min(text.len_bytes());
    text.char_to_byte(text.byte_to_char(i))
}

/// The end of the character holding byte `i - 1` (clamped to the text).
fn ceil_boundary(text: &Rope, i: usize) -> usize {
    let i = i.min(text.len_bytes());
    let f = floor_boundary(text, i);
    if f == i {
        i
    } else {
        text.char_to_byte(text.byte_to_char(i) + 1)
    }
}

impl Document {
    /// Opens a document and scans it.
    pub fn new(text: String, kind: Option<FileKind>, kb: &KnowledgeBase) -> Self {
        let index = LineIndex::new(&text);
        let refs = kind.map_or_else(Vec::new, |k| detect::detect(&text, k, kb));
        let markdown = kind == Some(FileKind::Markdown);
        let endpoints = local::endpoints(&text, markdown);
        Self {
            rope: Rope::from_str(&text),
            text: Arc::new(text),
            kind,
            index: Arc::new(index),
            refs,
            endpoints,
            pending: None,
            read: 0..0,
        }
    }

    /// The current text, with every edit applied (also those not analysed yet).
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The current text as a string (a copy).
    pub fn current_text(&self) -> String {
        flat(&self.rope, 0..self.rope.len_bytes())
    }

    /// Re-scans the whole text (after a change of rules).
    pub fn rescan(&mut self, kb: &KnowledgeBase) {
        self.sync_text();
        self.pending = None;
        let markdown = self.kind == Some(FileKind::Markdown);
        self.endpoints = local::endpoints(&self.text, markdown);
        self.refs = self
            .kind
            .map_or_else(Vec::new, |k| detect::detect(&self.text, k, kb));
    }

    /// Replaces the whole text; the references follow at the next
    /// [`analyse`](Self::analyse).
    pub fn replace_all(&mut self, text: String) {
        self.rope = Rope::from_str(&text);
        self.pending = Some(Pending {
            start: 0,
            end: self.rope.len_bytes(),
            delta: 0,
            fences: false,
            newlines: true,
            whole: true,
        });
    }

    /// Whether `refs` describe the current text (no edit is waiting for
    /// [`analyse`](Self::analyse)).
    pub fn is_analysed(&self) -> bool {
        self.pending.is_none()
    }

    /// Replaces `range` (bytes; clamped) with `new_text` in the rope only: O(log n)
    /// plus the length of the edit, no copy of the text and no scan. The references,
    /// `text` and `index` follow at the next [`analyse`](Self::analyse), once for
    /// every edit applied until then.
    pub fn apply(&mut self, range: Range<usize>, new_text: &str) {
        let start = floor_boundary(&self.rope, range.start);
        let end = floor_boundary(&self.rope, range.end.max(start));
        // A fence line edited (before or after) in Markdown changes the kind of every
        // line below it.
        let markdown = self.kind == Some(FileKind::Markdown);
        let mut fences = markdown && touches_fence(&self.rope, start..end);
        let newlines = new_text.contains('\n') || find_in(&self.rope, b'\n', start, end).is_some();
        let from = self.rope.byte_to_char(start);
        let to = self.rope.byte_to_char(end);
        self.rope.remove(from..to);
        self.rope.insert(from, new_text);
        let new_end = start + new_text.len();
        fences = fences || (markdown && touches_fence(&self.rope, start..new_end));
        let delta = new_text.len() as isize - (end - start) as isize;
        self.pending = Some(match self.pending {
            None => Pending {
                start,
                end: new_end,
                delta,
                fences,
                newlines,
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
                newlines: p.newlines || newlines,
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

    /// Brings `text` and `index` up to date with the rope: one splice of the pending
    /// changed range (or a fresh copy after [`replace_all`](Self::replace_all)).
    fn sync_text(&mut self) {
        let Some(p) = self.pending else { return };
        if p.whole {
            let text = self.current_text();
            self.index = Arc::new(LineIndex::new(&text));
            self.text = Arc::new(text);
            return;
        }
        let old_end = (p.end as isize - p.delta) as usize;
        let new = flat(&self.rope, p.start..p.end);
        Arc::make_mut(&mut self.text).replace_range(p.start..old_end, &new);
        Arc::make_mut(&mut self.index).edit(&self.text, p.start..old_end, new.len());
    }

    /// Brings the references up to date with every edit applied since the last
    /// analysis, scanning one window around all of them (read from the rope). Returns
    /// the byte range of the text that was re-scanned (empty when nothing was
    /// pending).
    pub fn analyse(&mut self, kb: &KnowledgeBase) -> Range<usize> {
        let Some(p) = self.pending else {
            return 0..0;
        };
        let Some(kind) = self.kind else {
            self.sync_text();
            self.pending = None;
            return 0..0;
        };
        let markdown = kind == FileKind::Markdown;
        let len = self.rope.len_bytes();
        let whole = |doc: &mut Self| {
            doc.sync_text();
            doc.pending = None;
            doc.read = 0..len;
            doc.endpoints = local::endpoints(&doc.text, markdown);
            doc.refs = detect::detect(&doc.text, kind, kb);
            0..len
        };
        // Notebooks are re-scanned whole (their cells depend on the whole JSON), and so
        // is Markdown whose endpoints may count headings (read from the whole text).
        if p.whole || kind == FileKind::Notebook {
            return whole(self);
        }
        let delta = p.delta;
        let mut w = if markdown {
            self.window_lines(kind, p.start, p.end, p.fences)
        } else {
            self.window(kind, &p)
        };
        let (lo, mid, hi, region, mut fresh) = loop {
            // The text the detector reads: the window and its context (Markdown whole:
            // its code fences are tracked from the start, and its endpoints count
            // headings).
            let (lo, mid, hi) = if markdown {
                (0, len, len)
            } else {
                self.context(kind, &w)
            };
            let region = flat(&self.rope, lo..hi);
            let mut fresh = Vec::new();
            detect::scan_range(&region, w.scan - lo..w.end - lo, kind, kb, &mut fresh);
            for r in &mut fresh {
                r.span = r.span.start + lo..r.span.end + lo;
            }
            // The references after the window are kept only if a scan from the start
            // reaches its end skipping no word, before the edits as after them: no
            // library call's reference crosses it, neither one the window found nor
            // one before the edits whose call may lie before it. Else the window goes
            // on past that reference (and is checked again).
            let old_end = (w.end as isize - delta) as usize;
            let library = |r: &&Reference| r.kind == RefKind::Library;
            let new_cross = fresh.iter().filter(library).map(|r| r.span.end).max();
            let i = self.refs.partition_point(|r| r.span.end <= old_end);
            let old_cross = self.refs[i..]
                .iter()
                .take_while(|r| r.span.start < old_end + CALL_REACH)
                .filter(library)
                .map(|r| (r.span.end as isize + delta) as usize)
                .max();
            match new_cross.max(old_cross) {
                Some(e) if e > w.end && w.end < len => {
                    w.end = if markdown {
                        find(&self.rope, b'\n', e).map_or(len, |i| i + 1)
                    } else {
                        cut_on(&self.rope, e)
                    };
                }
                _ => break (lo, mid, hi, region, fresh),
            }
        };
        let old_w_end = (w.end as isize - delta) as usize;
        // The endpoints of the region's lines found again, the others kept (moved
        // after the edits).
        let old_mid = (mid as isize - delta) as usize;
        // An endpoint reads its base-URL key before it: those whose key may lie before
        // the region are kept too (they lie before the edits).
        let ep_from = if lo == 0 { 0 } else { lo + ENDPOINT_BACK };
        let mut endpoints: Vec<(usize, bool)> = self
            .endpoints
            .iter()
            .filter(|(at, _)| *at < ep_from)
            .copied()
            .collect();
        endpoints.extend(
            local::endpoints(&region, markdown)
                .into_iter()
                .map(|(at, l)| (at + lo, l))
                .filter(|(at, _)| *at >= ep_from && *at < mid),
        );
        endpoints.extend(
            self.endpoints
                .iter()
                .filter(|(at, _)| *at >= old_mid)
                .map(|&(at, l)| ((at as isize + delta) as usize, l)),
        );
        let same_localities = endpoints.len() == self.endpoints.len()
            && endpoints
                .iter()
                .zip(&self.endpoints)
                .all(|(a, b)| a.1 == b.1);
        if !same_localities {
            return whole(self);
        }

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
        self.endpoints = endpoints;
        self.sync_text();
        self.pending = None;
        self.read = lo..hi;
        w.scan..w.end
    }

    /// The text read around a window (not Markdown): where it starts (`lo`), where the
    /// endpoints found again end (`mid`) and where it ends (`hi`), all within a bounded
    /// distance of the window.
    fn context(&self, kind: FileKind, w: &Window) -> (usize, usize, usize) {
        let text = &self.rope;
        let len = text.len_bytes();
        let mut lo = w.scan.saturating_sub(REACH_BACK);
        // A YAML or TOML word that sees its line start reads the parents above it: the
        // first line start that a word of the window may see decides.
        if matches!(kind, FileKind::Yaml | FileKind::Toml)
            && let Some(n) = find_in(
                text,
                b'\n',
                w.scan.saturating_sub(context::SCAN_BACK + 8),
                w.end,
            )
        {
            lo = lo.min((n + 1).saturating_sub(PARENT_REACH));
        }
        let lo = floor_boundary(text, lo);
        // Endpoints from `mid` on read only text after the edits (an endpoint reads
        // at most 64 bytes before it and a few bytes of host after it).
        let mid = (w.end + REACH_ON).min(len);
        let hi = ceil_boundary(text, mid + 64);
        (lo, mid, hi)
    }

    /// The range of the text that the last [`analyse`](Self::analyse) read from the
    /// rope (the window and the context around it; empty when it re-scanned whole or
    /// had nothing to do).
    pub fn last_read(&self) -> Range<usize> {
        self.read.clone()
    }

    /// The window re-scanned after the pending edits (not Markdown), cut at byte
    /// distances from them, inside a line too ([`cut_at`]): so an edit inside a long line
    /// re-scans a bounded window of it.
    fn window(&self, kind: FileKind, p: &Pending) -> Window {
        let text = &self.rope;
        let len = text.len_bytes();
        let (start, new_end) = (p.start, p.end);
        // Words before `keep` keep their result: nothing the detector reads after a
        // word reaches the edit.
        let keep = cut_back(text, start.saturating_sub(REACH_ON));
        // The scan starts a call's reach earlier, so that at `keep` it skips the same
        // words as a scan from the start; and before any library call whose reference
        // may cross the start (the scan from the text's start skipped the words up to
        // its end, which a scan from inside it would read, calls among them).
        let mut scan = cut_back(text, keep.saturating_sub(CALL_REACH));
        loop {
            let i = self.refs.partition_point(|r| r.span.end <= scan);
            let crossing = self.refs[i..]
                .iter()
                .take_while(|r| r.span.start < scan + CALL_REACH)
                .find(|r| r.kind == RefKind::Library);
            match crossing {
                Some(r) if scan > 0 => {
                    scan = cut_back(text, r.span.start.saturating_sub(CALL_REACH))
                }
                _ => break,
            }
        }
        // Words after `end` keep their result: nothing the detector reads before a word
        // reaches the edit.
        let mut end = cut_on(text, new_end.saturating_add(REACH_BACK));
        // A YAML or TOML word's parents are the lines above it: an edit may change those
        // of the next PARENT_LINES lines within PARENT_BYTES, unless it changed no line
        // end and its line is too long to be anyone's parent (longer than PARENT_BYTES:
        // the parents read are whole lines within PARENT_BYTES above a line).
        if matches!(kind, FileKind::Yaml | FileKind::Toml) {
            let n = context::PARENT_BYTES + 1;
            // The edited line's start and end, looked for at most `n` bytes away.
            let line_start = find_back(text, b'\n', start, start.saturating_sub(n));
            let line_end = find_in(text, b'\n', new_end, new_end.saturating_add(n));
            let long = match (line_start, line_end) {
                (Some(a), Some(b)) => b - a > n,
                (None, _) => start >= n,
                (_, None) => new_end.saturating_add(n) <= len,
            };
            let one_long_line =
                long && !p.newlines && find_in(text, b'\n', start, new_end).is_none();
            if !one_long_line {
                let ceil = new_end.saturating_add(PARENT_REACH + context::SCAN_BACK);
                let mut at = new_end;
                let mut lines = 0;
                while lines < context::PARENT_LINES + 3 {
                    match find_in(text, b'\n', at, ceil) {
                        Some(i) => at = i + 1,
                        None => {
                            at = ceil;
                            break;
                        }
                    }
                    lines += 1;
                }
                end = end.max(cut_on(text, at));
            }
        }
        Window { scan, keep, end }
    }

    /// The window re-scanned after an edit that left `start..new_end` as new text, cut
    /// at line starts (Markdown: its code fences are lines).
    fn window_lines(
        &self,
        kind: FileKind,
        start: usize,
        new_end: usize,
        to_the_end: bool,
    ) -> Window {
        let text = &self.rope;
        let len = text.len_bytes();
        // The start of the line above the one holding `from - by`.
        let line_back = |from: usize, by: usize| {
            let at = from.saturating_sub(by).min(len);
            rfind(text, b'\n', at)
                .and_then(|i| rfind(text, b'\n', i))
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
        if to_the_end {
            return Window {
                scan,
                keep,
                end: len,
            };
        }
        // The start of the `n`-th line after the one holding `at` (or the end).
        let lines_on =
            |at: usize, n: usize| find_nth(text, b'\n', at.min(len), n).map_or(len, |i| i + 1);
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
