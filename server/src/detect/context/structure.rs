//! The structure above a line in YAML and TOML: the keys of the mappings that hold it
//! (by indentation) and the components of the nearest `[table]` header.
//!
//! Invariants:
//! * Reads at most [`PARENT_LINES`] lines and [`PARENT_BYTES`] bytes up, and nothing of
//!   the word's own line past its indentation; needs no valid syntax. A word whose line
//!   start the classifier did not see (deep in a very long line) has no parents: its
//!   cost stays bounded, so a long line is read in linear time.
//! * Keys are returned nearest first, trimmed of quotes.

use super::PARENT_LINES;
use super::bytes::slice;

/// The most bytes read above a line.
pub const PARENT_BYTES: usize = 64 * 1024;

/// The text above `line_start` that is read: whole lines, at most [`PARENT_BYTES`];
/// `None` when `line_start` is not the start of a line (a window cut in a long line).
fn head(text: &str, line_start: usize) -> Option<&str> {
    let b = text.as_bytes();
    if line_start > 0 && b.get(line_start - 1) != Some(&b'\n') {
        return None;
    }
    let mut from = line_start.saturating_sub(PARENT_BYTES);
    if from > 0 {
        // Start on a line boundary (the line cut by the bound is left out).
        from = memchr::memchr(b'\n', &b[from..line_start]).map_or(line_start, |i| from + i + 1);
    }
    Some(slice(text, from, line_start))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// YAML: keys of the mappings above the line (nearest first), by indentation.
pub(super) fn yaml_parents(text: &str, line_start: usize) -> Vec<String> {
    let Some(head) = head(text, line_start) else {
        return Vec::new();
    };
    // The rest of the text from the line start: `indent_of` reads only its indentation.
    let mut indent = indent_of(slice(text, line_start, text.len()));
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
pub(super) fn toml_table(text: &str, line_start: usize) -> Vec<String> {
    let Some(head) = head(text, line_start) else {
        return Vec::new();
    };
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
