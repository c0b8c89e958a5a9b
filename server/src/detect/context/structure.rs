//! The structure above a line in YAML and TOML: the keys of the mappings that hold it
//! (by indentation) and the components of the nearest `[table]` header.
//!
//! Invariants:
//! * Reads at most [`PARENT_LINES`] lines up; needs no valid syntax.
//! * Keys are returned nearest first, trimmed of quotes.

use super::PARENT_LINES;
use super::bytes::slice;

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// YAML: keys of the mappings above the line (nearest first), by indentation.
pub(super) fn yaml_parents(text: &str, line_start: usize) -> Vec<String> {
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
pub(super) fn toml_table(text: &str, line_start: usize) -> Vec<String> {
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
