//! The arguments of a call, read forward from its `(`: which are positional and which
//! keyword, and which values are plain string literals (with the span of their
//! content). Used for library calls that name a model in their own vocabulary.
//!
//! Invariants:
//! * Reads at most [`WINDOW`] bytes after the `(`: a call that does not close within it
//!   is read as far as it goes and marked open, so the cost is bounded per call.
//! * Needs no valid syntax: unbalanced brackets, half-typed strings and stray quotes
//!   end the reading early; nothing here can panic or loop.
//! * A JavaScript options object (`new ChatOpenAI({ model: "x" })`) counts as keyword
//!   arguments.

use std::ops::Range;

pub use crate::candidate::{Arg, Args, Value};

/// How far after the `(` arguments are read.
pub const WINDOW: usize = 2048;

fn skip_ws(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// The end (exclusive, after the closing quote) of a string that opens at `i`, if it
/// closes on the same line within `end`. A string opened by `\"` (source text inside a
/// JSON string, as in notebooks) closes at the next `\"`.
fn string_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    if b[i] == b'\\' {
        let mut j = i + 2;
        while j + 1 < end {
            match (b[j], b[j + 1]) {
                (b'\\', b'"') => return Some(j + 2),
                (b'\\', _) => j += 2,
                (b'\n', _) => return None,
                _ => j += 1,
            }
        }
        return None;
    }
    let q = b[i];
    let mut j = i + 1;
    while j < end {
        match b[j] {
            b'\\' => j += 2,
            b'\n' if q != b'`' => return None,
            c if c == q => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// Splits `b[start..end]` at top-level commas; returns the parts and where reading
/// stopped (`Some(pos of the closer)` when the closer `close` was met at depth 0).
fn split_top(b: &[u8], start: usize, end: usize, close: u8) -> (Vec<Range<usize>>, Option<usize>) {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut part_start = start;
    let mut i = start;
    while i < end {
        match b[i] {
            b'"' | b'\'' | b'`' => match string_end(b, i, end) {
                Some(e) => {
                    i = e;
                    continue;
                }
                None => return (parts, None),
            },
            b'\\' if b.get(i + 1) == Some(&b'"') => match string_end(b, i, end) {
                Some(e) => {
                    i = e;
                    continue;
                }
                None => return (parts, None),
            },
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            c if c == close && depth == 0 => {
                parts.push(part_start..i);
                return (parts, Some(i));
            }
            b')' | b']' | b'}' => return (parts, None),
            b',' if depth == 0 => {
                parts.push(part_start..i);
                part_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (parts, None)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Reads one argument `b[r]`: an optional `keyword=` (or `keyword:` when `colon`), then
/// a value.
fn read_arg(b: &[u8], r: Range<usize>, colon: bool) -> Option<Arg> {
    let s = skip_ws(b, r.start, r.end);
    let mut e = r.end;
    while e > s && matches!(b[e - 1], b' ' | b'\t' | b'\r' | b'\n') {
        e -= 1;
    }
    if s >= e {
        return None;
    }
    // `keyword=` / `keyword:` / `"keyword":`
    let (kw_start, mut k) = match b[s] {
        b'"' | b'\'' if colon => (s + 1, s + 1),
        _ => (s, s),
    };
    while k < e && is_ident(b[k]) {
        k += 1;
    }
    let kw_end = k;
    if k < e && matches!(b[k], b'"' | b'\'') && colon {
        k += 1;
    }
    let k2 = skip_ws(b, k, e);
    let is_kw = kw_end > kw_start
        && k2 < e
        && if colon {
            b[k2] == b':'
        } else {
            b[k2] == b'=' && b.get(k2 + 1) != Some(&b'=')
        };
    let (keyword, vs) = if is_kw {
        (Some(kw_start..kw_end), skip_ws(b, k2 + 1, e))
    } else {
        (None, s)
    };
    let escaped = b[vs..e].starts_with(b"\\\"");
    let value = if vs < e
        && (matches!(b[vs], b'"' | b'\'' | b'`') || escaped)
        && string_end(b, vs, e) == Some(e)
        && !(b[vs] == b'`' && b[vs..e].contains(&b'$'))
    {
        if escaped {
            Value::Str(vs + 2..e - 2)
        } else {
            Value::Str(vs + 1..e - 1)
        }
    } else {
        Value::Other(vs..e)
    };
    Some(Arg { keyword, value })
}

/// Reads the arguments of the call whose `(` is at `open`.
pub fn read_args(text: &str, open: usize) -> Args {
    let b = text.as_bytes();
    if b.get(open) != Some(&b'(') {
        return Args::default();
    }
    let end = (open + 1 + WINDOW).min(b.len());
    let (parts, closer) = split_top(b, open + 1, end, b')');
    let mut items = Vec::new();
    for p in parts {
        let s = skip_ws(b, p.start, p.end);
        // An options object: its pairs are keyword arguments.
        if b.get(s) == Some(&b'{') {
            let (pairs, _) = split_top(b, s + 1, p.end, b'}');
            items.extend(pairs.into_iter().filter_map(|q| read_arg(b, q, true)));
            continue;
        }
        items.extend(read_arg(b, p, false));
    }
    Args {
        items,
        closed: closer.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the arguments as `kw=str:"x"` / `other:y` for the tables below.
    fn show(text: &str) -> (Vec<String>, bool) {
        let open = text.find('(').unwrap_or(0);
        let a = read_args(text, open);
        let items = a
            .items
            .iter()
            .map(|x| {
                let kw = x
                    .keyword
                    .as_ref()
                    .map_or(String::new(), |r| format!("{}=", &text[r.clone()]));
                match &x.value {
                    Value::Str(r) => format!("{kw}str:{}", &text[r.clone()]),
                    Value::Other(r) => format!("{kw}other:{}", &text[r.clone()]),
                }
            })
            .collect();
        (items, a.closed)
    }

    #[test]
    fn arguments_as_read() {
        let cases: &[(&str, &[&str], bool)] = &[
            ("YOLO(\"yolov8n.pt\")", &["str:yolov8n.pt"], true),
            (
                "YOLO('yolo11s.pt', task='detect')",
                &["str:yolo11s.pt", "task=str:detect"],
                true,
            ),
            (
                "create_model_and_transforms('ViT-B-32', pretrained='laion2b_s34b_b79k')",
                &["str:ViT-B-32", "pretrained=str:laion2b_s34b_b79k"],
                true,
            ),
            (
                "create_model(\"resnet50\", pretrained=True)",
                &["str:resnet50", "pretrained=other:True"],
                true,
            ),
            ("ChatOpenAI()", &[], true),
            ("ChatOpenAI(temperature=0)", &["temperature=other:0"], true),
            ("ChatOpenAI(model=name)", &["model=other:name"], true),
            ("load_model(f\"{size}\")", &["other:f\"{size}\""], true),
            (
                "pipeline(\"a, b\", x=(1, 2))",
                &["str:a, b", "x=other:(1, 2)"],
                true,
            ),
            (
                "new ChatOpenAI({ model: \"gpt-4o\", temperature: 0 })",
                &["model=str:gpt-4o", "temperature=other:0"],
                true,
            ),
            (
                "new ChatOpenAI({ \"modelName\": 'x' })",
                &["modelName=str:x"],
                true,
            ),
            ("f(a == 'b')", &["other:a == 'b'"], true),
            ("f(`tpl ${x}`)", &["other:`tpl ${x}`"], true),
            // Source inside a JSON string (a notebook cell).
            (
                "load(\\\"tiny\\\", name=\\\"x\\\")",
                &["str:tiny", "name=str:x"],
                true,
            ),
            // Half-typed: what was read so far, and open.
            ("YOLO(\"yolov8n.pt\"", &[], false),
            ("YOLO(\"yolov8", &[], false),
            ("f(x, ]", &["other:x"], false),
        ];
        for (text, want, closed) in cases {
            let (got, c) = show(text);
            assert_eq!(
                (got.iter().map(String::as_str).collect::<Vec<_>>(), c),
                (want.to_vec(), *closed),
                "{text}"
            );
        }
    }

    #[test]
    fn reading_is_bounded() {
        let text = format!("f(\"a\", {}", "x, ".repeat(10_000));
        let a = read_args(&text, 1);
        assert!(!a.closed);
        assert!(a.items.len() <= WINDOW, "{}", a.items.len());
    }
}
