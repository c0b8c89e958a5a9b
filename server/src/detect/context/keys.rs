//! Keys: the name a value is given (`model = "…"`, `--model …`, `"dataset": …`), read
//! directly before the word, and what a key's or a call's name says: a model, a
//! dataset, a name to ignore, or nothing.
//!
//! Invariants:
//! * Names are compared normalized (ASCII lowercase, `-` as `_`, the last `.`
//!   component, quotes and sigils trimmed) against the knowledge base's vocabulary.
//! * The key is read on the word's line, or at the end of the line above when nothing
//!   but quotes and blanks stands before the word on its own.

use super::bytes::{MAX_RUN, has, ident_before, line_window, slice};
use crate::kb::DetectVocab;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyClass {
    Dataset,
    Ignore,
    Model,
    Neutral,
}

pub(super) fn normalize_key(key: &str) -> String {
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

pub(super) fn classify_key(vocab: &DetectVocab, key: &str) -> KeyClass {
    classify_normalized(vocab, &normalize_key(key))
}

/// [`classify_key`] of a key already normalized.
pub(super) fn classify_normalized(vocab: &DetectVocab, k: &str) -> KeyClass {
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

/// A call's name: its class, and whether it takes Ollama names.
pub(super) fn call_class(vocab: &DetectVocab, name: &str) -> (KeyClass, bool) {
    let n = name.to_ascii_lowercase();
    (
        classify_call(vocab, name),
        vocab.ollama_call_contains.iter().any(|x| has(&n, x)),
    )
}

/// The key directly before the value at `start`: `key = "…`, `key: …`, `--key …`,
/// `KEY=…`, `"key": "…`. Returns `None` when the word is not a value of a key.
pub(super) fn direct_key(text: &str, line_start: usize, start: usize) -> Option<String> {
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
        let (ps, _) = line_window(text, i - 1, super::SCAN_BACK, 0);
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

/// The longest token [`previous_token`] reads back.
const MAX_TOKEN: usize = 256;

/// The bytes that end a token read backwards by [`previous_token`] (a table: one load
/// per byte instead of a jump per byte).
const TOKEN_END: [bool; 256] = {
    let mut t = [false; 256];
    let ends = b" \t\n\r\"'`,[(=";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] = true;
        i += 1;
    }
    t
};

/// The token before the word at `start`, skipping quotes, commas, spaces, a YAML list
/// dash, a line continuation and at most one line break.
fn previous_token(text: &str, start: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut newlines = 0;
    // At most [`MAX_RUN`] bytes of blanks and quotes: a longer run leads to no flag.
    let run_floor = start.saturating_sub(MAX_RUN);
    while i > run_floor {
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
    if i == run_floor && i > 0 {
        return None;
    }
    let end = i;
    // A flag is short: a token longer than this (a data blob) is none, and is not read
    // to its start, which keeps a long line linear.
    let floor = end.saturating_sub(MAX_TOKEN);
    while i > floor && !TOKEN_END[usize::from(bytes[i - 1])] {
        i -= 1;
    }
    if i == floor && i > 0 {
        return None;
    }
    text.get(i..end).filter(|t| !t.is_empty())
}
