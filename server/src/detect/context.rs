//! What surrounds a candidate word: is it a model context, a dataset (never a
//! reference), or neither?
//!
//! The classifier reads only text near the word: its line, the statement around it
//! (bounded by [`SCAN_BACK`] bytes), and for YAML and TOML the keys and tables above
//! it. It needs no valid syntax, so it works on half-typed files. Every slice it takes
//! is cut at an ASCII byte or a line boundary, so it cannot split a UTF-8 character.

use std::borrow::Cow;

use super::kind::FileKind;
pub use crate::candidate::{Context, Want};
use crate::kb::DetectVocab;

/// How far back (bytes) the scan for an enclosing call or container goes.
pub const SCAN_BACK: usize = 2048;
/// How far forward the scan for `repo_type=` goes.
pub const SCAN_FORWARD: usize = 400;
/// How many classified keys a scan remembers.
const KEY_MEMO: usize = 1024;
/// How many lines up the YAML/TOML parent search goes.
pub const PARENT_LINES: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    Dataset,
    Ignore,
    Model,
    Neutral,
}

fn normalize_key(key: &str) -> String {
    let k = key.trim_matches(|c: char| c == '-' || c == '$' || c == '@' || c == '"' || c == '\'');
    let k = k.rsplit('.').next().unwrap_or(k);
    // Lowercase ASCII and `-` as `_`, in one copy.
    let mut out = String::with_capacity(k.len());
    out.extend(k.chars().map(|c| {
        if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        }
    }));
    out
}

/// `hay.contains(needle)` for the short texts here (keys, call names), without
/// building a substring searcher for each needle.
fn has(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    let Some(last_start) = h.len().checked_sub(n.len()) else {
        return false;
    };
    // A plain loop: the texts are a few bytes long, shorter than a vector search's setup.
    (0..=last_start).any(|i| h[i] == first && h[i + 1..].iter().zip(rest).all(|(a, b)| a == b))
}

fn classify_key(vocab: &DetectVocab, key: &str) -> KeyClass {
    classify_normalized(vocab, &normalize_key(key))
}

/// [`classify_key`] of a key already normalized.
fn classify_normalized(vocab: &DetectVocab, k: &str) -> KeyClass {
    if k.is_empty() {
        return KeyClass::Neutral;
    }
    // The bytes the key holds: a needle with a byte it lacks is not in it.
    let bytes = ByteSet::of(k);
    let has = |x: &String| bytes.may_hold(x) && has(k, x);
    if vocab.ignore_keys.iter().any(|x| x == k) || vocab.ignore_key_contains.iter().any(has) {
        return KeyClass::Ignore;
    }
    if vocab.dataset_key_contains.iter().any(has) {
        return KeyClass::Dataset;
    }
    if vocab.model_keys.iter().any(|x| x == k) || vocab.model_key_contains.iter().any(has) {
        return KeyClass::Model;
    }
    KeyClass::Neutral
}

/// The set of bytes in a text.
struct ByteSet([u64; 4]);

impl ByteSet {
    fn of(s: &str) -> Self {
        let mut set = [0u64; 4];
        for b in s.bytes() {
            set[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        Self(set)
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    /// False when `needle` has a first or last byte the text lacks.
    fn may_hold(&self, needle: &str) -> bool {
        let n = needle.as_bytes();
        n.first().is_none_or(|&b| self.contains(b)) && n.last().is_none_or(|&b| self.contains(b))
    }
}

fn classify_call(vocab: &DetectVocab, name: &str) -> KeyClass {
    let n = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    if n.is_empty() {
        return KeyClass::Neutral;
    }
    let bytes = ByteSet::of(&n);
    let has = |x: &String| bytes.may_hold(x) && has(&n, x);
    // `register_chat_format("llama-2")`, `push_to_hub("org/x")`: the words that make a
    // key name no model make a call's name none either.
    if vocab.ignore_key_contains.iter().any(has) {
        return KeyClass::Ignore;
    }
    if vocab.dataset_call_contains.iter().any(has) {
        return KeyClass::Dataset;
    }
    if vocab.model_call_contains.iter().any(has) {
        return KeyClass::Model;
    }
    KeyClass::Neutral
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

/// Reads an identifier that ends just before `end` (skipping spaces and quotes).
/// `config["model"]` yields the text inside the brackets.
fn ident_before(bytes: &[u8], mut end: usize) -> (usize, usize) {
    while end > 0 && matches!(bytes[end - 1], b' ' | b'\t' | b'"' | b'\'' | b'`') {
        end -= 1;
    }
    if end > 0 && bytes[end - 1] == b']' {
        let close = end - 1;
        let mut i = close;
        while i > 0 && !matches!(bytes[i - 1], b'[' | b'\n') {
            i -= 1;
        }
        return (i, close);
    }
    let mut start = end;
    while start > 0 && is_ident(bytes[start - 1]) {
        start -= 1;
    }
    (start, end)
}

fn slice(text: &str, a: usize, b: usize) -> &str {
    text.get(a..b).unwrap_or("")
}

fn line_bounds(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
    (start, end)
}

/// The key directly before the value at `start`: `key = "…`, `key: …`, `--key …`,
/// `KEY=…`, `"key": "…`. Returns `None` when the word is not a value of a key.
fn direct_key(text: &str, line_start: usize, start: usize) -> Option<String> {
    let bytes = text.as_bytes();
    // `${MODEL:-org/name}`: the variable is the key.
    if start >= line_start + 2 && bytes[start - 1] == b'-' && bytes[start - 2] == b':' {
        let (a, b) = ident_before(bytes, start - 2);
        if a < b && a >= line_start {
            return Some(slice(text, a, b).trim_start_matches(['$', '{']).to_string());
        }
    }
    let mut i = start;
    while i > line_start && matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'' | b'`' | b'\\') {
        i -= 1;
    }
    let mut line_start = line_start;
    if i == line_start && i > 0 {
        // `model:\n    "org/name"`: the key ends the line above.
        let (ps, _) = line_bounds(text, i - 1);
        let mut j = i - 1;
        while j > ps && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
            j -= 1;
        }
        if j > ps && matches!(bytes[j - 1], b'=' | b':') {
            i = j;
            line_start = ps;
        }
    }
    if i > line_start && (bytes[i - 1] == b'=' || bytes[i - 1] == b':') {
        let sep = bytes[i - 1];
        // `==`, `!=`, `<=`, `>=` compare; `::` is a path.
        if i >= 2
            && matches!(bytes[i - 2], b'=' | b'!' | b'<' | b'>' | b':')
            && !(sep == b'=' && bytes[i - 2] == b':')
        {
            return None;
        }
        let mut k_end = i - 1;
        if sep == b'=' && k_end > line_start && matches!(bytes[k_end - 1], b':' | b'?' | b'+') {
            k_end -= 1; // Go's and make's `:=`, make's `?=` and `+=`
        }
        let (a, b) = ident_before(bytes, k_end);
        if a < line_start || a == b {
            return None;
        }
        return Some(slice(text, a, b).to_string());
    }
    // `--model org/name`, `["--model", "org/name"]`, a flag on the line above.
    previous_token(text, start)
        .filter(|t| t.starts_with("--") && t.len() > 2)
        .map(str::to_string)
}

/// The token before the word at `start`, skipping quotes, commas, spaces, a YAML list
/// dash, a line continuation and at most one line break.
fn previous_token(text: &str, start: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut newlines = 0;
    while i > 0 {
        match bytes[i - 1] {
            b' ' | b'\t' | b'"' | b'\'' | b'`' | b',' | b'\\' | b'\r' => i -= 1,
            b'\n' if newlines == 0 => {
                newlines += 1;
                i -= 1;
            }
            b'-' if i < 2 || matches!(bytes[i - 2], b' ' | b'\t' | b'\n') => i -= 1,
            _ => break,
        }
    }
    let end = i;
    while i > 0
        && !matches!(
            bytes[i - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`' | b',' | b'[' | b'(' | b'='
        )
    {
        i -= 1;
    }
    text.get(i..end).filter(|t| !t.is_empty())
}

/// The unmatched opening brackets before a position, kept up to date as a scan moves
/// forward through a text, so that [`classify_at`] need not re-read the
/// [`SCAN_BACK`] bytes before every word.
///
/// Reading backwards from a word, an opening bracket is reported when no closing
/// bracket after it (and before the word) closes it; with any closing bracket closing
/// any opening one, that is exactly the set of openings left on a stack after reading
/// forward, pushing at each opening bracket and popping at each closing one. Whether
/// an opening at `p` is left depends only on the bytes between `p` and the word, so the
/// stack may start empty anywhere at or before the scan's floor.
#[derive(Debug, Default, Clone)]
pub struct Brackets {
    /// Bytes before this offset have been read.
    pos: usize,
    /// Offsets of the unmatched opening brackets read, ascending.
    open: Vec<usize>,
    /// The names before brackets, classified, by the bracket's offset: a call's class
    /// and whether it takes Ollama names, or a container key's class. Consecutive
    /// words mostly share their enclosing brackets.
    names: Vec<(usize, KeyClass, bool)>,
    /// Keys classified so far, by their text as written: a file repeats its keys.
    keys: std::collections::HashMap<String, (KeyClass, bool)>,
}

impl Brackets {
    /// A tracker at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// The classification of the name before the bracket at `at`, computed once.
    fn named(
        &mut self,
        at: usize,
        classify: impl FnOnce() -> (KeyClass, bool),
    ) -> (KeyClass, bool) {
        if let Some(&(_, class, ollama)) = self.names.iter().find(|(p, ..)| *p == at) {
            return (class, ollama);
        }
        let (class, ollama) = classify();
        self.names.push((at, class, ollama));
        (class, ollama)
    }

    /// [`classify_key`], remembered for the rest of the scan (at most [`KEY_MEMO`]
    /// keys, then forgotten all at once).
    fn key_class(&mut self, vocab: &DetectVocab, key: &str) -> KeyClass {
        self.key_info(vocab, key).0
    }

    /// A key's class, and whether it is one of the keys that inherit a parent's model
    /// context (`inherit_keys`); remembered as [`Self::key_class`] is.
    fn key_info(&mut self, vocab: &DetectVocab, key: &str) -> (KeyClass, bool) {
        if let Some(&info) = self.keys.get(key) {
            return info;
        }
        let k = normalize_key(key);
        let info = (
            classify_normalized(vocab, &k),
            vocab.inherit_keys.contains(&k),
        );
        if self.keys.len() >= KEY_MEMO {
            self.keys.clear();
        }
        self.keys.insert(key.to_string(), info);
        info
    }

    /// Reads up to `start`; afterwards `open` holds the unmatched openings in
    /// `floor..start`.
    fn advance(&mut self, bytes: &[u8], start: usize) {
        let start = start.min(bytes.len());
        let floor = start.saturating_sub(SCAN_BACK);
        if start < self.pos || self.pos < floor {
            // Moved backwards, or far ahead: what lies before the floor is never read.
            self.open.clear();
            self.names.clear();
            self.pos = floor;
        }
        self.names.retain(|(at, ..)| *at >= floor);
        let from = self.pos;
        let hay = &bytes[from..start];
        // Openings and closings found with two vectorized searches, merged in order.
        let mut opens = memchr::memchr3_iter(b'(', b'[', b'{', hay).peekable();
        let mut closes = memchr::memchr3_iter(b')', b']', b'}', hay).peekable();
        loop {
            match (opens.peek(), closes.peek()) {
                (Some(&o), Some(&c)) if o < c => {
                    self.open.push(from + o);
                    opens.next();
                }
                (Some(&o), None) => {
                    self.open.push(from + o);
                    opens.next();
                }
                (_, Some(_)) => {
                    self.open.pop();
                    closes.next();
                }
                (None, None) => break,
            }
        }
        self.pos = start;
        let below = self.open.partition_point(|&p| p < floor);
        if below > 0 {
            self.open.drain(..below);
        }
    }
}

/// Signals from the enclosing brackets, nearest first: the name of a call, or the
/// key of a list or table. At most three, within [`SCAN_BACK`] bytes.
fn enclosing<'t>(
    text: &'t str,
    start: usize,
    brackets: &mut Brackets,
) -> Vec<(KeyKind, &'t str, usize)> {
    let bytes = text.as_bytes();
    brackets.advance(bytes, start);
    let mut out = Vec::with_capacity(3);
    for &i in brackets.open.iter().rev().take(3) {
        if bytes[i] == b'(' {
            let (a, b) = ident_before(bytes, i);
            out.push((KeyKind::Call, slice(text, a, b), i));
        } else {
            // `key = [`, `"key": {`, `key: [`
            let mut j = i;
            while j > 0 && matches!(bytes[j - 1], b' ' | b'\t') {
                j -= 1;
            }
            if j > 0 && (bytes[j - 1] == b'=' || bytes[j - 1] == b':') {
                let (a, b) = ident_before(bytes, j - 1);
                out.push((KeyKind::Container, slice(text, a, b), i));
            } else {
                out.push((KeyKind::Container, "", i));
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Call,
    Container,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// YAML: keys of the mappings above the line (nearest first), by indentation.
fn yaml_parents(text: &str, line_start: usize) -> Vec<String> {
    let head = slice(text, 0, line_start);
    let this_line = {
        let end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        slice(text, line_start, end)
    };
    let mut indent = indent_of(this_line);
    if indent == 0 {
        // Nothing is indented less than a line at the margin.
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in head.lines().rev().take(PARENT_LINES) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent_of(line);
        if ind < indent {
            let item = t.strip_prefix("- ").unwrap_or(t);
            if let Some((k, _)) = item.split_once(':') {
                out.push(k.trim().trim_matches(['"', '\'']).to_string());
            }
            indent = ind;
            if ind == 0 || out.len() >= 4 {
                break;
            }
        }
    }
    out
}

/// TOML: the components of the nearest `[table]` header above the line.
fn toml_table(text: &str, line_start: usize) -> Vec<String> {
    let head = slice(text, 0, line_start);
    for line in head.lines().rev().take(PARENT_LINES) {
        let t = line.trim();
        if t.starts_with('[') {
            let inner = t.trim_start_matches('[').split(']').next().unwrap_or("");
            return inner
                .split('.')
                .rev()
                .map(|s| s.trim().trim_matches(['"', '\'']).to_string())
                .collect();
        }
    }
    Vec::new()
}

/// Whether a piece of text says `repo_type="dataset"` (or `space`), `--repo-type
/// dataset` or `--repo-type=dataset`.
fn has_repo_type(s: &str) -> bool {
    // ASCII case-insensitive, without lowercasing a copy of the statement (which may
    // be kilobytes long): lowercasing ASCII keeps every byte offset.
    // Found from the `y` of `type` (rarer in code and data than the separators `_` and
    // `-`): a separator two bytes before it, `repo` before that, `type` around it.
    let b = s.as_bytes();
    for y in memchr::memchr2_iter(b'y', b'Y', b) {
        let Some(at) = y.checked_sub(2) else {
            continue;
        };
        if matches!(b[at], b'_' | b'-')
            && at >= 4
            && lower_word(&b[at - 4..at]) == Some(*b"repo")
            && b.get(at + 1..at + 5).and_then(lower_word) == Some(*b"type")
        {
            // The next 16 characters.
            let after = s.get(at + 5..).unwrap_or("");
            let n = after.char_indices().nth(16).map_or(after.len(), |(i, _)| i);
            let after = &after.as_bytes()[..n];
            if find_ignore_case(after, b"dataset").is_some()
                || find_ignore_case(after, b"space").is_some()
            {
                return true;
            }
        }
    }
    false
}

/// Four bytes with ASCII letters lowercased, as one word (setting bit 5 of every byte
/// lowercases letters; the compare against a lowercase word of letters is exact,
/// since no byte outside `A-Za-z` becomes a lowercase letter that way).
fn lower_word(b: &[u8]) -> Option<[u8; 4]> {
    let w: [u8; 4] = b.try_into().ok()?;
    Some((u32::from_le_bytes(w) | 0x2020_2020).to_le_bytes())
}

/// The first offset of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let p = memchr::memchr2(
            first,
            first.to_ascii_uppercase(),
            &hay[i..=hay.len() - needle.len()],
        )?;
        let at = i + p;
        if hay[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Where the statement holding the word ends: inside a call, at its closing bracket;
/// otherwise at the end of the shell command (`;`, `&&`, `|`, or a line end that is
/// not continued with `\`). Never more than [`SCAN_FORWARD`] bytes on.
fn statement_end(text: &str, end: usize, in_call: bool) -> usize {
    let bytes = text.as_bytes();
    let stop = (end + SCAN_FORWARD).min(bytes.len());
    let mut depth = 0i32;
    let mut i = end;
    while i < stop {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            b'\n' if depth == 0 && !in_call => {
                let mut j = i;
                while j > end && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
                    j -= 1;
                }
                if !(j > end && bytes[j - 1] == b'\\') {
                    break;
                }
            }
            b';' | b'|' if depth == 0 && !in_call => break,
            b'&' if depth == 0 && !in_call && bytes.get(i + 1) == Some(&b'&') => break,
            _ => {}
        }
        i += 1;
    }
    while i > end && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where the shell command holding `start` begins on its line (after `;`, `&&`, `|`).
fn command_start(text: &str, line_start: usize, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    // The nearest `;`, `|` or `&` before `start`, found with a vector search; a single
    // `&` (not `&&`) does not end a command, so the search goes on before it.
    while let Some(p) = memchr::memrchr3(b';', b'|', b'&', &bytes[line_start..i]) {
        let at = line_start + p;
        if bytes[at] != b'&' || (at > 0 && bytes[at - 1] == b'&') {
            return at + 1;
        }
        i = at;
    }
    line_start
}

/// The line's text before the word, preceded by the line above when that line ends
/// with a shell continuation (`\\`) and this one holds nothing else before the word.
fn continued_prefix<'t>(text: &'t str, line_start: usize, prefix: &'t str) -> Cow<'t, str> {
    if !prefix.trim().is_empty() || line_start == 0 {
        return Cow::Borrowed(prefix);
    }
    let (ps, _) = line_bounds(text, line_start - 1);
    let above = slice(text, ps, line_start - 1).trim_end();
    match above.strip_suffix('\\') {
        Some(a) => Cow::Owned(format!("{a} {prefix}")),
        None => Cow::Borrowed(prefix),
    }
}

fn command_context(vocab: &DetectVocab, prefix: &str) -> Option<Context> {
    // Matched against the ASCII-lowercased prefix, compared in place: lowercasing
    // changes neither offsets nor white space nor `-`.
    // A command matches only if what follows it is flags: its last occurrence ends at or
    // after `tail`, so that occurrence is the last one in the bytes from `tail` less
    // its length, and no earlier text need be searched.
    let tail = flag_tail_start(prefix);
    for (cmds, ctx) in [
        (&vocab.ollama_commands, Context::Ollama),
        (&vocab.model_commands, Context::Model),
    ] {
        for cmd in cmds {
            let from = tail.saturating_sub(cmd.len());
            let found = prefix
                .as_bytes()
                .get(from..)
                .and_then(|h| rfind_lowercased(h, cmd.as_bytes()))
                .map(|p| from + p);
            if let Some(p) = found {
                let Some(after) = prefix.get(p + cmd.len()..) else {
                    continue;
                };
                if !after.is_empty() && !after.starts_with([' ', '\t']) {
                    continue;
                }
                if after.split_whitespace().all(|t| t.starts_with('-')) {
                    return Some(ctx);
                }
            }
        }
    }
    None
}

/// Where the longest suffix of `s` made of white space and tokens that start with `-`
/// begins (white space as `split_whitespace` sees it): the end of the last other token.
fn flag_tail_start(s: &str) -> usize {
    let mut end = s.len();
    loop {
        let trimmed = s.get(..end).unwrap_or("").trim_end();
        if trimmed.is_empty() {
            return 0;
        }
        let token = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        if trimmed[token..].starts_with('-') {
            end = token;
        } else {
            return trimmed.len();
        }
    }
}

/// The last offset of `needle` in `hay` with `hay` lowercased (ASCII), as
/// `hay.to_ascii_lowercase().rfind(needle)` without the copy or a searcher: the texts
/// here are a line's start and the needles a few bytes.
fn rfind_lowercased(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(hay.len());
    };
    if first.is_ascii_uppercase() {
        return None;
    }
    let same = |h: &[u8]| {
        h.len() >= rest.len()
            && h.iter()
                .zip(rest)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
    };
    let mut end = hay.len().checked_sub(rest.len())?;
    // Mostly a handful of places to try (the caller passes the tail of a line): a
    // plain loop, cheaper there than setting up a vector search.
    if end <= 32 {
        return (0..end)
            .rev()
            .find(|&at| hay[at].to_ascii_lowercase() == first && same(&hay[at + 1..]));
    }
    loop {
        let at = if first.is_ascii_lowercase() {
            memchr::memrchr2(first, first.to_ascii_uppercase(), &hay[..end])?
        } else {
            memchr::memrchr(first, &hay[..end])?
        };
        if same(&hay[at + 1..]) {
            return Some(at);
        }
        end = at;
    }
}

/// Classifies the word at `start..end` of `text`.
pub fn classify(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
) -> Context {
    classify_at(text, start, end, kind, vocab, &mut Brackets::new())
}

/// [`classify`], with the brackets read so far by a scan that moves forward through
/// `text` (the result is the same whatever `brackets` holds).
pub fn classify_at(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
) -> Context {
    classify_for(text, start, end, kind, vocab, brackets, Want::Any)
}

/// [`classify_at`], answering only what `want` asks.
pub fn classify_for(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
    want: Want,
) -> Context {
    let (line_start, line_end) = line_bounds(text, start);
    let line = slice(text, line_start, line_end);
    let trimmed = line.trim_start().trim_start_matches(['"', '\'']);
    // The line's first characters, ignoring ASCII case.
    let head_is = |word: &str| {
        trimmed
            .as_bytes()
            .get(..word.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(word.as_bytes()))
    };

    // Lines that never hold references.
    match kind {
        FileKind::Python | FileKind::Notebook
            if (trimmed.starts_with("import ")
                || (trimmed.starts_with("from ") && trimmed.contains(" import "))) =>
        {
            return Context::Negative;
        }
        FileKind::Dockerfile if head_is("FROM ") => return Context::Negative,
        _ => {}
    }
    if kind == FileKind::Modelfile && (head_is("FROM ") || head_is("ADAPTER ")) {
        return Context::Ollama;
    }

    let encl = enclosing(text, start, brackets);
    let call = encl.iter().find(|(what, _, _)| *what == KeyKind::Call);
    // A dataset download in the same call or shell command.
    let statement_start = match call {
        Some((_, _, pos)) => *pos,
        None => command_start(text, line_start, start),
    };
    // A dataset download (`repo_type="dataset"`) anywhere in the statement makes the
    // word Negative, whatever follows; asked first for an exact answer, last (and only
    // for a model context) when only a model context matters.
    let dataset_statement = || {
        // The statement ends at most [`SCAN_FORWARD`] bytes on: when the text up to
        // there has no `repo_type`, neither has the statement, and its end need not be
        // found.
        let mut reach = (end + SCAN_FORWARD).min(text.len());
        while !text.is_char_boundary(reach) {
            reach += 1;
        }
        has_repo_type(slice(text, statement_start, reach))
            && has_repo_type(slice(
                text,
                statement_start,
                statement_end(text, end, call.is_some()),
            ))
    };
    if want == Want::Any && dataset_statement() {
        return Context::Negative;
    }
    let ctx = classify_rest(text, start, kind, vocab, brackets, line_start, &encl);
    if want == Want::Model && matches!(ctx, Context::Model | Context::Ollama) && dataset_statement()
    {
        return Context::Negative;
    }
    ctx
}

/// The rest of [`classify_for`], after the lines that decide alone and the dataset
/// statement: keys, commands, enclosing calls and containers, YAML and TOML parents.
fn classify_rest(
    text: &str,
    start: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
    line_start: usize,
    encl: &[(KeyKind, &str, usize)],
) -> Context {
    let call = encl.iter().find(|(what, _, _)| *what == KeyKind::Call);
    // A call's name: its class, and whether it takes Ollama names.
    let call_class = |name: &str| {
        let n = name.to_ascii_lowercase();
        (
            classify_call(vocab, name),
            vocab.ollama_call_contains.iter().any(|x| has(&n, x)),
        )
    };
    let ollama_call =
        call.is_some_and(|(_, name, pos)| brackets.named(*pos, || call_class(name)).1);
    let model = if ollama_call {
        Context::Ollama
    } else {
        Context::Model
    };

    let prefix = slice(text, line_start, start);
    let key = direct_key(text, line_start, start);
    // A key with a neutral name (`title`, `provider`, `api_key`) is not the model its
    // parent list or call is about; a few names (`name`, `id`, `path`) still are.
    let mut inherits = true;
    if let Some(key) = &key {
        let (class, inherit) = brackets.key_info(vocab, key);
        match class {
            KeyClass::Dataset | KeyClass::Ignore => return Context::Negative,
            KeyClass::Model => return model,
            KeyClass::Neutral => {}
        }
        inherits = inherit;
    }
    if let Some(ctx) = command_context(vocab, &continued_prefix(text, line_start, prefix)) {
        return ctx;
    }
    let mut seen_call = false;
    for (what, name, pos) in encl {
        let class = match what {
            KeyKind::Call => {
                // Outer calls matter only when they make no model of what they hold
                // (`register_conv_template(Conversation(name="llama-3"))`).
                if seen_call {
                    if brackets.named(*pos, || call_class(name)).0 == KeyClass::Ignore {
                        return Context::Negative;
                    }
                    continue;
                }
                seen_call = true;
                let args = slice(text, pos + 1, start);
                // `add_argument("--output_dir", default="org/x")`: the flag names the value.
                let flag = args
                    .split(['"', '\''])
                    .skip(1)
                    .step_by(2)
                    .filter(|q| q.starts_with("--"))
                    .last();
                if let Some(flag) = flag {
                    match brackets.key_class(vocab, flag) {
                        KeyClass::Dataset | KeyClass::Ignore => return Context::Negative,
                        KeyClass::Model => return model,
                        KeyClass::Neutral => {}
                    }
                }
                if !inherits {
                    continue;
                }
                let c = brackets.named(*pos, || call_class(name)).0;
                // `os.environ.get("MODEL_ID", "org/name")`: an earlier quoted argument on
                // the same line names a model key.
                if c == KeyClass::Neutral && !name.is_empty() && !args.contains('\n') {
                    let quoted_key = args.split(['"', '\'']).skip(1).step_by(2).any(|q| {
                        let q = q.to_ascii_lowercase();
                        !q.contains(' ') && vocab.model_key_contains.iter().any(|k| has(&q, k))
                    });
                    if quoted_key {
                        return model;
                    }
                }
                c
            }
            KeyKind::Container => {
                brackets
                    .named(*pos, || (classify_key(vocab, name), false))
                    .0
            }
        };
        match class {
            KeyClass::Dataset | KeyClass::Ignore => return Context::Negative,
            KeyClass::Model if inherits => return model,
            _ => {}
        }
    }
    let parents = match kind {
        FileKind::Yaml | FileKind::Markdown => yaml_parents(text, line_start),
        FileKind::Toml => toml_table(text, line_start),
        _ => Vec::new(),
    };
    for p in parents {
        match brackets.key_class(vocab, &p) {
            KeyClass::Dataset | KeyClass::Ignore => return Context::Negative,
            KeyClass::Model if inherits => return model,
            _ => {}
        }
    }
    Context::Neutral
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The openings the backward scan `enclosing` made before [`Brackets`] replaced it
    /// (nearest first, at most three, within [`SCAN_BACK`] bytes).
    fn enclosing_reference(bytes: &[u8], start: usize) -> Vec<usize> {
        let floor = start.saturating_sub(SCAN_BACK);
        let mut depth = 0usize;
        let mut out = Vec::new();
        let mut i = start;
        while i > floor && out.len() < 3 {
            i -= 1;
            match bytes[i] {
                b')' | b']' | b'}' => depth += 1,
                b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
                b'(' | b'[' | b'{' => out.push(i),
                _ => {}
            }
        }
        out
    }

    /// `command_context` as written before it searched only the tail of the prefix.
    fn command_context_reference(vocab: &DetectVocab, prefix: &str) -> Option<Context> {
        let lower = prefix.to_ascii_lowercase();
        for (cmds, ctx) in [
            (&vocab.ollama_commands, Context::Ollama),
            (&vocab.model_commands, Context::Model),
        ] {
            for cmd in cmds {
                if let Some(p) = lower.rfind(cmd.as_str()) {
                    let after = &lower[p + cmd.len()..];
                    if !after.is_empty() && !after.starts_with([' ', '\t']) {
                        continue;
                    }
                    if after.split_whitespace().all(|t| t.starts_with('-')) {
                        return Some(ctx);
                    }
                }
            }
        }
        None
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Asked only for a model context, the classifier gives the same answer as
        /// the exact one wherever that answer is a model context, and none elsewhere.
        #[test]
        fn model_only_agrees_on_model_contexts(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("from_pretrained("), Just("hf_hub_download("), Just("load_dataset("),
                    Just("\"acme/x\""), Just("acme/y"), Just("repo_type=\"dataset\""),
                    Just("repo-type space"), Just(", "), Just(")"), Just("\n"), Just("model: "),
                    Just("dataset: "), Just("ollama pull "), Just("  - "), Just("[\n"), Just("{"),
                    Just("}"), Just("MODEL_ID="), Just("--model "), Just(" && "), Just("; "),
                    Just("import x\n"), Just("FROM "), Just("title = "),
                ],
                0..14,
            ),
            kind in prop_oneof![
                Just(FileKind::Python), Just(FileKind::Yaml), Just(FileKind::Shell),
                Just(FileKind::Json), Just(FileKind::Modelfile), Just(FileKind::Dockerfile),
            ],
        ) {
            let text: String = parts.concat();
            let vocab = &kb().vocab;
            let mut at = 0;
            while let Some(p) = text[at..].find("acme/") {
                let start = at + p;
                let end = start + 6;
                let exact = classify_at(&text, start, end, kind, vocab, &mut Brackets::new());
                let model =
                    classify_for(&text, start, end, kind, vocab, &mut Brackets::new(), Want::Model);
                let is_model = |c: Context| matches!(c, Context::Model | Context::Ollama);
                prop_assert_eq!(is_model(model), is_model(exact), "{:?} at {}", text, start);
                if is_model(exact) {
                    prop_assert_eq!(model, exact);
                }
                at = end;
            }
        }
    }

    /// `command_start` as written before it searched with `memrchr3`.
    fn command_start_reference(text: &str, line_start: usize, start: usize) -> usize {
        let bytes = text.as_bytes();
        let mut i = start;
        while i > line_start {
            if matches!(bytes[i - 1], b';' | b'|')
                || (bytes[i - 1] == b'&' && i >= 2 && bytes[i - 2] == b'&')
            {
                break;
            }
            i -= 1;
        }
        i
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn command_start_agrees_with_reference(
            text in "[;|& a\n]{0,40}",
            a in 0usize..45,
            b in 0usize..45,
        ) {
            let (line_start, start) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            prop_assert_eq!(
                command_start(&text, line_start, start),
                command_start_reference(&text, line_start, start)
            );
        }
    }

    /// `has_repo_type` as written before it searched from the separators.
    fn has_repo_type_reference(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find("repo") {
            let at = from + p + 4;
            let rest = &lower[at..];
            if rest.starts_with("_type") || rest.starts_with("-type") {
                let after: String = rest[5..].chars().take(16).collect();
                if after.contains("dataset") || after.contains("space") {
                    return true;
                }
            }
            from = at;
        }
        false
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn has_repo_type_agrees_with_reference(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("repo"), Just("REPO"), Just("Repo"), Just("_type"), Just("-TYPE"),
                    Just("y"), Just("Y"), Just("tYpe"), Just("_ty"),
                    Just("_"), Just("-"), Just("type"), Just("=\""), Just(" "), Just("dataset"),
                    Just("Space"), Just("é"), Just("x"), Just("repo_type=\"da"), Just("taset"),
                    Just("0123456789abcdef"),
                ],
                0..12,
            ),
        ) {
            let s: String = parts.concat();
            prop_assert_eq!(has_repo_type(&s), has_repo_type_reference(&s));
        }
    }

    fn kb() -> &'static crate::kb::KnowledgeBase {
        crate::kb::KnowledgeBase::builtin_for_tests()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Searching only the flag tail finds what searching the whole prefix found.
        #[test]
        fn command_context_agrees_with_reference(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("ollama"), Just("OLLAMA"), Just("Ollama "), Just("pull"), Just("run"),
                    Just(" "), Just("  "), Just("\t"), Just("\u{a0}"), Just("-hf"), Just("--model"),
                    Just("llama-server"), Just("mlx_lm.generate"), Just("hf download"),
                    Just("x"), Just("="), Just("é"), Just("-"), Just("ollama pull"),
                    Just("vllm serve"), Just("--"), Just("\\"),
                ],
                0..12,
            ),
        ) {
            let prefix: String = parts.concat();
            let vocab = &kb().vocab;
            prop_assert_eq!(command_context(vocab, &prefix), command_context_reference(vocab, &prefix));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Advancing one tracker through increasing (and sometimes decreasing) offsets
        /// reports what the backward scan reported at each.
        #[test]
        fn brackets_agree_with_backward_scan(
            text in "[(\\[{)\\]}a\\n]{0,6000}",
            steps in proptest::collection::vec(0usize..3000, 1..40),
        ) {
            let bytes = text.as_bytes();
            let mut b = Brackets::new();
            let mut at = 0usize;
            for (k, s) in steps.iter().enumerate() {
                // Mostly forward, every seventh step anywhere.
                at = if k % 7 == 6 { *s } else { at + s };
                let start = at.min(bytes.len());
                b.advance(bytes, start);
                let got: Vec<usize> = b.open.iter().rev().take(3).copied().collect();
                prop_assert_eq!(got, enclosing_reference(bytes, start));
            }
        }
    }
}
