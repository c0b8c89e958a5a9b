//! `fineprint check`: walk paths, detect, resolve and evaluate every file.
//!
//! Invariants:
//! * A file that cannot be read (too large, not UTF-8, binary, unreadable, a link, a
//!   FIFO, socket or device) is reported in `skipped` with its reason, and every other
//!   file is still checked. Nothing fineprint would read by its name is dropped
//!   silently: a name that is not UTF-8 is read (and shown lossily).
//! * Only regular files are opened (a FIFO is never opened: that would block), and
//!   never more than [`MAX_FILE_SIZE`] + 1 bytes of one are read, even if it grows
//!   while it is read (see [`crate::regular_file`]).
//! * Results are sorted by path and position, whatever order the parallel walk took.
//! * The walk honours `.gitignore` (and `.ignore`, `.fineprintignore`), reads dotfiles
//!   such as `.env`, never enters `.git`, and never follows symbolic links.
//! * Positions of a file that starts with a UTF-8 byte order mark count from after
//!   it (the text analysed does not hold it). Lines end at `\r\n`, `\n` or a lone `\r`
//!   ([`crate::text`]).
//! * A reference keeps a bounded excerpt of its line ([`Found::excerpt`]), never the
//!   whole line: memory and output grow with the references, not with their lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::detect::{self, FileKind};
use crate::evidence::{Place, Roots, Store};
use crate::findings::{self, Code, Diagnostic, Severity};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;
use crate::regular_file::{self, ReadError};
use crate::resolve::Reference;
use crate::text::{Encoding, LineCursor, LineIndex};

/// Files larger than this are skipped (bytes).
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Characters of its line kept on each side of a reference in [`Found::excerpt`].
pub const EXCERPT_CONTEXT: usize = 100;

/// What marks a cut in an excerpt.
pub const CUT: &str = "…";

/// The UTF-8 byte order mark, which the command line does not count as a column.
const BOM: &str = "\u{feff}";

/// A file's text as it is analysed: without a leading byte order mark (editors do
/// not show it, so columns count from after it). Spans in a [`Report`] are offsets in
/// this text: whoever re-reads a file to convert them must strip it the same way.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// One reference with its position and findings.
#[derive(Debug, Clone)]
pub struct Found {
    /// The reference.
    pub reference: Reference,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column of the start, in Unicode scalar values.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based exclusive end column, in Unicode scalar values.
    pub end_column: usize,
    /// 1-based start and exclusive end columns in UTF-16 code units, the end clamped
    /// to the start line (as SARIF wants them).
    pub utf16_columns: (usize, usize),
    /// The start line around the reference (without its line ending): at most
    /// [`EXCERPT_CONTEXT`] characters on each side of it, with [`CUT`] where the line
    /// goes on. Never the whole of a long line: its size is bounded whatever the line.
    pub excerpt: String,
    /// Byte span of the reference within `excerpt` (clamped to the start line).
    pub excerpt_span: std::ops::Range<usize>,
    /// Findings under the policy, most severe first. Shared by the references of a
    /// file that are alike (same kind, text, id and resolution, no evidence, no
    /// suppression comment): a file naming one model a million times holds its
    /// findings once.
    pub diagnostics: Arc<[Diagnostic]>,
}

/// One file's results.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Path as walked, relative to the folder given (or as given for a file).
    pub path: String,
    /// Kind of file.
    pub kind: Option<FileKind>,
    /// References in order.
    pub found: Vec<Found>,
    /// For a GGUF or safetensors file: the hash of its header, or why there is none
    /// ([`crate::model_file`]).
    pub identity: Option<Result<crate::model_file::Identity, String>>,
}

/// A file that was not checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Path as walked.
    pub path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Counters a caller may watch while a check runs (from another thread): the walk
/// only counts, and showing progress is the caller's business.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files read so far.
    pub files: AtomicU64,
    /// Bytes read so far.
    pub bytes: AtomicU64,
}

impl Progress {
    fn add(&self, bytes: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes
            .fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

/// A finding about the policy file itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyFinding {
    /// The policy file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// Code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
}

/// The results of a check.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files read, sorted by path.
    pub files: Vec<FileResult>,
    /// Files not read.
    pub skipped: Vec<Skipped>,
    /// Findings about the policy file.
    pub policy_findings: Vec<PolicyFinding>,
    /// The baseline compared with, when there was one: the findings it holds
    /// unchanged are left out of `files` and `policy_findings`.
    pub baseline: Option<crate::baseline::Applied>,
}

impl Report {
    /// Number of findings at `sev`, over references and the policy file.
    pub fn count(&self, sev: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.found)
            .flat_map(|r| r.diagnostics.iter())
            .filter(|d| d.severity == sev)
            .count()
            + self
                .policy_findings
                .iter()
                .filter(|p| p.severity == sev)
                .count()
    }

    /// Number of references.
    pub fn references(&self) -> usize {
        self.files.iter().map(|f| f.found.len()).sum()
    }
}

/// Codes suppressed on a line by a `fineprint: ignore` or `fineprint: ignore[code, ...]`
/// comment. `Some(empty)` suppresses every code.
pub fn suppression(line: &str) -> Option<Vec<String>> {
    let at = line.find("fineprint: ignore")?;
    let rest = &line[at + "fineprint: ignore".len()..];
    if let Some(list) = rest.strip_prefix('[') {
        let inner = list.split(']').next().unwrap_or("");
        return Some(
            inner
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        );
    }
    Some(Vec::new())
}

/// The findings of one reference in a text, after suppression comments on its line
/// (or alone on the line above).
pub fn findings_for(
    text: &str,
    index: &LineIndex,
    reference: &Reference,
    kb: &KnowledgeBase,
    policy: &Policy,
    today: &str,
) -> Vec<Diagnostic> {
    Suppressions::default().findings(text, index, reference, kb, policy, today)
}

/// The suppression comment of the line references are on, read once per line when the
/// references come in text order (a document's, on every publish): many references on
/// one long line cost its comment search once.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// The last line read and its suppression comment.
    last: Option<(usize, Option<Vec<String>>)>,
}

impl Suppressions {
    /// [`findings_for`] `reference`, reusing the last line's comment when it is on it.
    pub fn findings(
        &mut self,
        text: &str,
        index: &LineIndex,
        reference: &Reference,
        kb: &KnowledgeBase,
        policy: &Policy,
        today: &str,
    ) -> Vec<Diagnostic> {
        let line = index.line_of(reference.span.start);
        if self.last.as_ref().is_none_or(|(l, _)| *l != line) {
            let line_text = text.get(index.line_range(text, line)).unwrap_or("");
            let above = line
                .checked_sub(1)
                .map(|p| text.get(index.line_range(text, p)).unwrap_or(""));
            self.last = Some((line, line_suppression(line_text, above)));
        }
        let sup = self.last.as_ref().and_then(|(_, s)| s.as_deref());
        suppressed(findings::evaluate(reference, kb, policy, today), sup)
    }
}

/// The findings of one reference whose start is on `line_text`, below `above` (none
/// on the first line), after suppression comments.
pub fn findings_on_line(
    line_text: &str,
    above: Option<&str>,
    reference: &Reference,
    kb: &KnowledgeBase,
    policy: &Policy,
    today: &str,
) -> Vec<Diagnostic> {
    let sup = line_suppression(line_text, above);
    suppressed(
        findings::evaluate(reference, kb, policy, today),
        sup.as_deref(),
    )
}

/// The suppression comment that applies to references on `line_text`: on the line, or
/// alone on the line above (`above`). `Some(empty)` suppresses every code.
pub fn line_suppression(line_text: &str, above: Option<&str>) -> Option<Vec<String>> {
    suppression(line_text).or_else(|| {
        above
            .filter(|a| {
                let t = a.trim_start();
                t.starts_with('#') || t.starts_with("//") || t.starts_with("<!--")
            })
            .and_then(suppression)
    })
}

/// `diagnostics` without the codes a suppression comment names.
fn suppressed(mut diagnostics: Vec<Diagnostic>, sup: Option<&[String]>) -> Vec<Diagnostic> {
    if let Some(codes) = sup {
        diagnostics.retain(|d| !codes.is_empty() && !codes.iter().any(|c| c == d.code.as_str()));
    }
    diagnostics
}

/// Analyses one text: references with positions and findings (no evidence on disk).
pub fn analyse(
    text: &str,
    kind: FileKind,
    kb: &KnowledgeBase,
    policy: &Policy,
    today: &str,
) -> Vec<Found> {
    analyse_at(
        text,
        kind,
        kb,
        policy,
        today,
        &Store::disabled(),
        &Place::default(),
    )
}

/// Analyses one text at a place on disk, weighing the evidence `store` finds there.
pub fn analyse_at(
    text: &str,
    kind: FileKind,
    kb: &KnowledgeBase,
    policy: &Policy,
    today: &str,
    store: &Store,
    place: &Place,
) -> Vec<Found> {
    let mut refs = detect::detect(text, kind, kb);
    if refs.is_empty() {
        return Vec::new();
    }
    crate::evidence::weigh::attach(&mut refs, text, kind, kb, store, place);
    // Positions are found on demand: most files have a handful of references, and
    // indexing every line of every file cost more than the detection of some kinds.
    // References come in text order; what belongs to a line (its range, its suppression
    // comment, the columns counted so far) is kept while they stay on it, so that many
    // references on one long line cost the line once, not once each.
    let mut lines = LineCursor::new(text);
    let mut on: Option<OnLine> = None;
    let mut alike = Alike::default();
    // The references are taken from the end of the reversed list, which shrinks as the
    // list of what was found grows: the two are never both whole in memory.
    refs.reverse();
    let mut found = Vec::with_capacity(refs.len());
    while let Some(reference) = refs.pop() {
        if refs.capacity() > 1024 && refs.len() < refs.capacity() / 2 {
            refs.shrink_to_fit();
        }
        found.push({
            let (l0, c0) = lines.position(reference.span.start, Encoding::Utf32);
            let line = match on.take() {
                Some(o)
                    if o.range.contains(&reference.span.start)
                        || o.range.start == reference.span.start =>
                {
                    o
                }
                _ => OnLine::new(text, &mut lines, reference.span.start),
            };
            let on_line = on.insert(line);
            let lr = on_line.range.clone();
            let line_text = text.get(lr.clone()).unwrap_or("");
            let diagnostics = match on_line.suppression.as_deref() {
                None => alike.findings(&reference, || {
                    findings::evaluate(&reference, kb, policy, today)
                }),
                sup => suppressed(findings::evaluate(&reference, kb, policy, today), sup).into(),
            };
            let (l1, c1) = lines.position(reference.span.end, Encoding::Utf32);
            let s = reference
                .span
                .start
                .saturating_sub(lr.start)
                .min(line_text.len());
            let e = reference
                .span
                .end
                .saturating_sub(lr.start)
                .min(line_text.len())
                .max(s);
            let utf16_columns = on_line.utf16_columns(line_text, s..e);
            let (excerpt, excerpt_span) = excerpt(line_text, s..e);
            Found {
                reference,
                line: l0 + 1,
                column: c0 + 1,
                end_line: l1 + 1,
                end_column: c1 + 1,
                utf16_columns,
                excerpt,
                excerpt_span,
                diagnostics,
            }
        });
    }
    found
}

/// The findings of the references of one file, kept once per kind of reference: by
/// id, then kind, text and resolution (the same shared resolution). References with
/// evidence are judged alone.
#[derive(Default)]
struct Alike {
    by_id: HashMap<String, Vec<AlikeEntry>>,
}

/// Kind, text, address of the shared resolution (0 for none), findings.
type AlikeEntry = (crate::resolve::RefKind, String, usize, Arc<[Diagnostic]>);

impl Alike {
    /// The findings of `r`: those of an alike reference, or `evaluate`'s.
    fn findings(
        &mut self,
        r: &Reference,
        evaluate: impl FnOnce() -> Vec<Diagnostic>,
    ) -> Arc<[Diagnostic]> {
        if r.evidence.is_some() {
            return evaluate().into();
        }
        let res = r.resolution.as_ref().map_or(0, |x| Arc::as_ptr(x) as usize);
        let same = |(kind, text, at, _): &&(_, String, usize, _)| {
            *kind == r.kind && *at == res && **text == *r.text
        };
        if let Some((.., d)) = self.by_id.get(&*r.id).and_then(|v| v.iter().find(same)) {
            return Arc::clone(d);
        }
        let d: Arc<[Diagnostic]> = evaluate().into();
        self.by_id.entry(r.id.to_string()).or_default().push((
            r.kind,
            r.text.to_string(),
            res,
            Arc::clone(&d),
        ));
        d
    }
}

/// 1-based UTF-16 columns of the byte span `span` of `line` (both on char boundaries).
fn utf16_units(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// What [`analyse_at`] keeps about the line its references are on.
struct OnLine {
    /// The line's byte range (without its line end).
    range: std::ops::Range<usize>,
    /// Its suppression comment (see [`line_suppression`]).
    suppression: Option<Vec<String>>,
    /// A byte offset in the line and the UTF-16 units before it.
    counted: (usize, usize),
}

impl OnLine {
    fn new(text: &str, lines: &mut LineCursor<'_>, offset: usize) -> Self {
        let range = lines.line_range_at(offset);
        let above = range
            .start
            .checked_sub(1)
            .map(|end| &text[lines.line_range_at(end)]);
        let line_text = text.get(range.clone()).unwrap_or("");
        Self {
            suppression: line_suppression(line_text, above),
            range,
            counted: (0, 0),
        }
    }

    /// 1-based UTF-16 columns of `span` (bytes in `line`), counted on from the last
    /// span asked when it lies after it.
    fn utf16_columns(&mut self, line: &str, span: std::ops::Range<usize>) -> (usize, usize) {
        let (at, units) = if span.start >= self.counted.0 {
            self.counted
        } else {
            (0, 0)
        };
        let start = units + utf16_units(line.get(at..span.start).unwrap_or(""));
        self.counted = (span.start, start);
        (
            start + 1,
            start + 1 + utf16_units(line.get(span).unwrap_or("")),
        )
    }
}

/// `line` cut to [`EXCERPT_CONTEXT`] characters on each side of the byte span `span`
/// (on char boundaries), with [`CUT`] at each end cut off; and the span within it.
pub fn excerpt(line: &str, span: std::ops::Range<usize>) -> (String, std::ops::Range<usize>) {
    let (before, rest) = line.split_at(span.start.min(line.len()));
    let (it, after) = rest.split_at((span.end - span.start).min(rest.len()));
    let from = before
        .char_indices()
        .rev()
        .nth(EXCERPT_CONTEXT - 1)
        .map_or(0, |(i, _)| i);
    let to = after
        .char_indices()
        .nth(EXCERPT_CONTEXT)
        .map_or(after.len(), |(i, _)| i);
    let mut out = String::with_capacity(2 * CUT.len() + (before.len() - from) + it.len() + to);
    if from > 0 {
        out.push_str(CUT);
    }
    out.push_str(&before[from..]);
    let start = out.len();
    out.push_str(it);
    let end = out.len();
    out.push_str(&after[..to]);
    if to < after.len() {
        out.push_str(CUT);
    }
    (out, start..end)
}

enum Outcome {
    File(FileResult),
    Skip(Skipped),
}

/// How a file is named in every output: as the walk reached it from the path given on
/// the command line, as rustc prints paths (`check a b` shows `a/serve.py` and
/// `b/serve.py`, never two `serve.py`; `check .` shows `src/app.py`): a relative path
/// stays relative to the working directory (without a leading `./`), an absolute one
/// stays absolute. Separators are `/`.
fn display_path(path: &Path) -> String {
    let p = path.strip_prefix(".").unwrap_or(path);
    let shown = p.to_string_lossy().replace('\\', "/");
    if shown.is_empty() { ".".into() } else { shown }
}

struct Env<'a> {
    kb: &'a KnowledgeBase,
    policy: &'a Policy,
    today: &'a str,
    store: &'a Store,
    progress: Option<&'a Progress>,
}

/// `listed`: the walk's directory listing gave `path` as a regular file.
fn check_file(
    path: &Path,
    shown: String,
    kind: FileKind,
    root: &Path,
    env: &Env<'_>,
    listed: bool,
) -> Outcome {
    // One read buffer per walker thread, reused from file to file: what is reported
    // keeps its own bounded copies, never the text (at most one file's size a thread).
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|cell| {
        let (mut own, mut shared) = (Vec::new(), cell.try_borrow_mut());
        let buf = match &mut shared {
            Ok(b) => &mut **b,
            Err(_) => &mut own,
        };
        let read = if listed {
            regular_file::read_listed_into(path, MAX_FILE_SIZE, buf)
        } else {
            regular_file::read_into(path, MAX_FILE_SIZE, buf)
        };
        check_bytes(path, shown, kind, root, env, read.map(|()| &buf[..]))
    })
}

/// [`check_file`] once the file is read (or refused).
fn check_bytes(
    path: &Path,
    shown: String,
    kind: FileKind,
    root: &Path,
    env: &Env<'_>,
    read: Result<&[u8], ReadError>,
) -> Outcome {
    let skip = |reason: String| {
        Outcome::Skip(Skipped {
            path: shown.clone(),
            reason,
        })
    };
    let bytes = match read {
        Ok(b) => b,
        Err(ReadError::Io(e)) => return skip(format!("unreadable: {e}")),
        Err(e) => return skip(e.to_string()),
    };
    if let Some(p) = env.progress {
        p.add(bytes.len());
    }
    // `memchr` rather than a byte loop: this runs over the head of every file read.
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return skip("binary (contains NUL bytes)".into());
    }
    // `simdutf8`: the same answer as the standard library's check, several times
    // faster on the mostly ASCII text of source files.
    let text = match simdutf8::compat::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return skip(format!(
                "not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ));
        }
    };
    let place = Place {
        dir: path.parent().map(Path::to_path_buf),
        root: Some(root.to_path_buf()),
    };
    // Columns count from after a byte order mark (editors do not show it), so the
    // text analysed starts after it, and spans are offsets in that text.
    let text = without_bom(text);
    let mut found = analyse_at(text, kind, env.kb, env.policy, env.today, env.store, &place);
    cap_to_scope(&mut found, env.policy, path, Some(root));
    Outcome::File(FileResult {
        path: shown,
        kind: Some(kind),
        found,
        identity: None,
    })
}

/// Lowers (or hides) the findings of a file as the policy's `[[paths]]` rule for it
/// says ([`crate::scope`]).
pub fn cap_to_scope(found: &mut [Found], policy: &Policy, path: &Path, root: Option<&Path>) {
    // Most files name no model: their path is not matched against the rules at all.
    if found.is_empty() {
        return;
    }
    let Some(rule) = policy.scope.rule_for(path, root) else {
        return;
    };
    // Findings shared by several references stay shared once capped.
    let mut done: std::collections::HashMap<*const (), std::sync::Arc<[Diagnostic]>> =
        std::collections::HashMap::new();
    for f in found {
        let key = std::sync::Arc::as_ptr(&f.diagnostics).cast::<()>();
        let capped = done.entry(key).or_insert_with(|| {
            f.diagnostics
                .iter()
                .filter_map(|d| {
                    let mut d = d.clone();
                    d.severity = crate::scope::capped(d.severity, rule.cap)?;
                    Some(d)
                })
                .collect()
        });
        f.diagnostics = capped.clone();
    }
}

/// A GGUF file in the tree: one reference to the file itself, at line 1, column 1,
/// resolved by its name and weighed against its header (see `evidence`).
/// A GGUF or safetensors file found in the tree: one reference (its name, resolved as
/// a file name; a GGUF file's header is also read as evidence), and its identity, the
/// hash of its header ([`crate::model_file`]).
fn check_weight_file(path: &Path, shown: String, root: &Path, env: &Env<'_>) -> Outcome {
    let reference = match crate::model_file::Format::of_path(path) {
        Some(crate::model_file::Format::Safetensors) => {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            Reference {
                span: 0..0,
                text: name.clone(),
                kind: crate::resolve::RefKind::File,
                resolution: crate::resolve::Resolution::share(crate::resolve::resolve_file(
                    env.kb, &name,
                )),
                id: name,
                evidence: None,
            }
        }
        _ => crate::evidence::weigh::gguf_file(env.kb, env.store, path, root),
    };
    let identity = Some(crate::model_file::identify(path));
    let diagnostics = findings::evaluate(&reference, env.kb, env.policy, env.today);
    let mut found = vec![Found {
        reference,
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        utf16_columns: (1, 1),
        excerpt: String::new(),
        excerpt_span: 0..0,
        diagnostics: diagnostics.into(),
    }];
    cap_to_scope(&mut found, env.policy, path, Some(root));
    Outcome::File(FileResult {
        path: shown,
        kind: None,
        found,
        identity,
    })
}

/// The kind of a file from its name; a name that is not UTF-8 is read lossily (its
/// extension is what counts), so that such a file is checked rather than dropped.
fn file_kind(path: &Path) -> Option<FileKind> {
    FileKind::from_file_name(&path.file_name()?.to_string_lossy())
}

/// What the walk does with one entry: check it, list it as skipped, or pass over it
/// (folders, and files fineprint does not read by their name).
fn walk_entry(root: &Path, entry: &ignore::DirEntry, env: &Env<'_>) -> Option<Outcome> {
    let path = entry.path();
    let ft = entry.file_type()?;
    if ft.is_dir() {
        return None;
    }
    let kind = file_kind(path);
    let shown = || display_path(path);
    if env.policy.scope.excluded(path, Some(root)) {
        return None;
    }
    let skip = |reason: String| {
        Some(Outcome::Skip(Skipped {
            path: shown(),
            reason,
        }))
    };
    match kind {
        Some(kind) if ft.is_file() => Some(check_file(path, shown(), kind, root, env, true)),
        None if ft.is_file() && is_weight_file(path) => {
            Some(check_weight_file(path, shown(), root, env))
        }
        Some(_) if ft.is_symlink() => skip("symbolic link (not followed)".into()),
        // A FIFO, socket or device with a name fineprint reads: listed, never opened.
        _ if !ft.is_file() && !ft.is_symlink() && (kind.is_some() || is_weight_file(path)) => skip(
            format!("not a regular file ({})", regular_file::kind_of(&ft)),
        ),
        _ => None,
    }
}

/// A GGUF or safetensors file: checked by its name and identified by its header.
fn is_weight_file(path: &Path) -> bool {
    crate::model_file::Format::of_path(path).is_some()
}

/// Checks a text that was not read from disk (standard input) as the file at `path`
/// would be checked: its kind, its `[[paths]]` rule and the name in the report come
/// from `path`. No evidence is read and no exception is called unused.
pub fn run_text(
    text: &str,
    path: &Path,
    kind: FileKind,
    kb: &KnowledgeBase,
    policy: &Policy,
) -> Report {
    let today = crate::policy::today();
    let shown = display_path(path);
    let text = without_bom(text);
    let mut found = analyse(text, kind, kb, policy, &today);
    cap_to_scope(&mut found, policy, path, None);
    Report {
        files: vec![FileResult {
            path: shown,
            kind: Some(kind),
            found,
            identity: None,
        }],
        ..Report::default()
    }
}

/// Checks files and folders, reading evidence where the environment says
/// ([`Roots::from_env`]).
pub fn run(paths: &[PathBuf], kb: &KnowledgeBase, policy: &Policy) -> Report {
    run_with(paths, kb, policy, &Store::new(Roots::from_env(), None))
}

/// [`run`], counting files and bytes read in `progress` as it goes.
pub fn run_counted(
    paths: &[PathBuf],
    kb: &KnowledgeBase,
    policy: &Policy,
    progress: &Progress,
) -> Report {
    run_progress(
        paths,
        kb,
        policy,
        &Store::new(Roots::from_env(), None),
        Some(progress),
    )
}

/// [`run_counted`] with an evidence store (one with online resolution, for `--online`).
pub fn run_counted_with(
    paths: &[PathBuf],
    kb: &KnowledgeBase,
    policy: &Policy,
    progress: &Progress,
    store: &Store,
) -> Report {
    run_progress(paths, kb, policy, store, Some(progress))
}

/// Checks files and folders with an evidence store.
pub fn run_with(paths: &[PathBuf], kb: &KnowledgeBase, policy: &Policy, store: &Store) -> Report {
    run_progress(paths, kb, policy, store, None)
}

fn run_progress(
    paths: &[PathBuf],
    kb: &KnowledgeBase,
    policy: &Policy,
    store: &Store,
    progress: Option<&Progress>,
) -> Report {
    let today = crate::policy::today();
    let env = Env {
        kb,
        policy,
        today: &today,
        store,
        progress,
    };
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    for root in paths {
        let root_is_file = root.is_file();
        if !root.exists() {
            results
                .lock()
                .map(|mut r| {
                    r.push(Outcome::Skip(Skipped {
                        path: root.display().to_string(),
                        reason: "does not exist".into(),
                    }))
                })
                .ok();
            continue;
        }
        let special = root.metadata().ok().filter(|m| !m.is_file() && !m.is_dir());
        if let Some(m) = special {
            // A FIFO, socket or device named on the command line: listed, never opened.
            let outcome = Outcome::Skip(Skipped {
                path: display_path(root),
                reason: format!(
                    "not a regular file ({})",
                    regular_file::kind_of(&m.file_type())
                ),
            });
            results.lock().map(|mut r| r.push(outcome)).ok();
            continue;
        }
        if root_is_file {
            let shown = display_path(root);
            let dir = root
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            let outcome = match file_kind(root) {
                Some(kind) => check_file(root, shown, kind, &dir, &env, false),
                None if is_weight_file(root) => check_weight_file(root, shown, &dir, &env),
                None => Outcome::Skip(Skipped {
                    path: shown,
                    reason: "not a kind of file fineprint reads".into(),
                }),
            };
            results.lock().map(|mut r| r.push(outcome)).ok();
            continue;
        }
        // Files git tracks are read even when a `.gitignore` matches them: the walk
        // records what it read, and the tracked files it skipped are read after it.
        let repo =
            crate::tracked::repository_of(&root.canonicalize().unwrap_or_else(|_| root.clone()));
        let seen: Mutex<std::collections::HashSet<PathBuf>> = Mutex::default();
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .follow_links(false)
            .add_custom_ignore_filename(".fineprintignore")
            .filter_entry(|e| e.file_name() != ".git");
        let walker = builder.build_parallel();
        walker.run(|| {
            let results = &results;
            let env = &env;
            let seen = repo.as_ref().map(|_| &seen);
            Box::new(move |entry| {
                if let (Some(seen), Ok(e)) = (seen, &entry)
                    && let Ok(mut s) = seen.lock()
                {
                    s.insert(e.path().to_path_buf());
                }
                let outcome = match entry {
                    Err(e) => Some(Outcome::Skip(Skipped {
                        path: root.display().to_string(),
                        reason: format!("walk error: {e}"),
                    })),
                    Ok(entry) => walk_entry(root, &entry, env),
                };
                if let Some(o) = outcome
                    && let Ok(mut r) = results.lock()
                {
                    r.push(o);
                }
                ignore::WalkState::Continue
            })
        });
        if let Some((work, gitdir)) = &repo {
            let seen = seen.into_inner().unwrap_or_default();
            for path in tracked_but_not_walked(root, work, gitdir, &seen) {
                let shown = display_path(&path);
                if policy.scope.excluded(&path, Some(root)) {
                    continue;
                }
                let outcome = match file_kind(&path) {
                    Some(kind) => check_file(&path, shown, kind, root, &env, false),
                    None => check_weight_file(&path, shown, root, &env),
                };
                results.lock().map(|mut r| r.push(outcome)).ok();
            }
        }
    }
    let mut report = Report::default();
    for o in results.into_inner().unwrap_or_default() {
        match o {
            Outcome::File(f) => report.files.push(f),
            Outcome::Skip(s) => report.skipped.push(s),
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    // An exception is unused only if the whole project was read: a check of a
    // subfolder or of single files cannot tell.
    report.policy_findings = placeholder_reasons(policy);
    if covers_policy_folder(paths, policy) {
        report
            .policy_findings
            .extend(unused_exceptions(&report, policy));
        report.policy_findings.sort_by_key(|p| p.line);
    }
    report
}

/// An `exception-reason` finding on each exception of the policy whose reason is a
/// placeholder (`TODO: ...`, as the editor's quick fix writes it): an exception is a
/// decision, and its reason is what a reviewer reads.
pub fn placeholder_reasons(policy: &Policy) -> Vec<PolicyFinding> {
    let Some(file) = &policy.file else {
        return Vec::new();
    };
    policy
        .exceptions()
        .iter()
        .filter(|e| e.reason_is_placeholder())
        .filter_map(|e| {
            let severity = policy.severity_of(Code::ExceptionReason, Severity::Warning)?;
            Some(PolicyFinding {
                path: file.display().to_string(),
                line: e.line,
                code: Code::ExceptionReason,
                severity,
                message: format!(
                    "The exception for `{}` has no reason yet (`{}`): write why the project accepts this model, and an `expires` date.",
                    e.model,
                    e.reason.trim()
                ),
            })
        })
        .collect()
}

/// Whether one of `paths` is the policy file's folder or a folder above it (true
/// without a policy file: there is nothing to leave out).
fn covers_policy_folder(paths: &[PathBuf], policy: &Policy) -> bool {
    let Some(dir) = policy.file.as_ref().and_then(|f| f.parent()) else {
        return true;
    };
    let canon = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
    };
    let dir = canon(dir);
    paths
        .iter()
        .any(|p| p.is_dir() && dir.starts_with(canon(p)))
}

/// The tracked files under `root` (of the work tree `work`) that fineprint reads but
/// the walk did not visit because a `.gitignore` matches them. A `.fineprintignore`
/// still excludes them. An unreadable index is a note on stderr, and the walk stands.
fn tracked_but_not_walked(
    root: &Path,
    work: &Path,
    gitdir: &Path,
    seen: &std::collections::HashSet<PathBuf>,
) -> Vec<PathBuf> {
    let files = match crate::tracked::tracked_files(work, gitdir) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("the git index was not read ({e}); only the walk's files are checked");
            return Vec::new();
        }
    };
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    files
        .into_iter()
        .filter_map(|p| Some(root.join(p.strip_prefix(&canon_root).ok()?)))
        .filter(|p| {
            !seen.contains(p)
                && (file_kind(p).is_some() || is_weight_file(p))
                && !p.components().any(|c| c.as_os_str() == ".git")
                && p.symlink_metadata().is_ok_and(|m| m.is_file())
                && !fineprint_ignored(root, p)
        })
        .collect()
}

/// Whether a `.fineprintignore` between `root` and `path` excludes `path`.
fn fineprint_ignored(root: &Path, path: &Path) -> bool {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let file = d.join(".fineprintignore");
        if file.is_file() {
            let (matcher, _) = ignore::gitignore::Gitignore::new(&file);
            if matcher.matched_path_or_any_parents(path, false).is_ignore() {
                return true;
            }
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    false
}

fn unused_exceptions(report: &Report, policy: &Policy) -> Vec<PolicyFinding> {
    let Some(file) = &policy.file else {
        return Vec::new();
    };
    // One pass over the references, each matched once against the exceptions' set.
    let mut used = vec![false; policy.exceptions().len()];
    for r in report.files.iter().flat_map(|f| &f.found) {
        policy.mark_exceptions(&r.reference.id, &mut used);
        policy.mark_exceptions(&r.reference.text, &mut used);
    }
    policy
        .exceptions()
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .filter_map(|(e, _)| {
            let severity = policy.severity_of(Code::ExceptionUnused, Severity::Warning)?;
            Some(PolicyFinding {
                path: file.display().to_string(),
                line: e.line,
                code: Code::ExceptionUnused,
                severity,
                message: format!(
                    "The exception for `{}` matches no model reference in the files checked.",
                    e.model
                ),
            })
        })
        .collect()
}
