//! Byte ranges of the cell sources of a Jupyter notebook, read from the raw JSON
//! without parsing it, so that a half-written notebook still yields its sources.
//!
//! Invariant: every range returned lies between the quotes of one JSON string that is
//! the value (or an element of the array value) of a `"source"` key. Outputs,
//! metadata and everything else are left out. A source is a Markdown cell's when the
//! object that holds it has `"cell_type": "markdown"` before it (nbformat writes keys in
//! sorted order, so `cell_type` comes first); anything else is read as code.

/// One cell source string: its range inside the quotes, and whether its cell is Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub range: std::ops::Range<usize>,
    pub markdown: bool,
}

/// An open container while reading: whether it is the array under `"source"`, and
/// (for an object) whether its `cell_type` so far is `markdown`.
#[derive(Clone, Copy)]
struct Open {
    source_array: bool,
    markdown: bool,
}

/// The ranges (inside the quotes) of every string under a `"source"` key.
pub fn source_ranges(text: &str) -> Vec<Source> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut last_key_is_source = false;
    let mut last_key_is_cell_type = false;
    let mut pending_key: Option<std::ops::Range<usize>> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                // To the closing quote, stepping over escapes; outputs (base64 images,
                // long logs) are mostly strings, so jump between quotes and backslashes.
                while j < bytes.len() {
                    match memchr::memchr2(b'"', b'\\', &bytes[j..]) {
                        None => j = bytes.len(),
                        Some(k) if bytes[j + k] == b'"' => {
                            j += k;
                            break;
                        }
                        Some(k) => j += k + 2,
                    }
                }
                let end = j.min(bytes.len());
                // A string followed by `:` is a key.
                let mut k = end + 1;
                while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < bytes.len() && bytes[k] == b':' {
                    pending_key = Some(start..end);
                    last_key_is_source = text.get(start..end) == Some("source");
                    last_key_is_cell_type = text.get(start..end) == Some("cell_type");
                    i = k + 1;
                    continue;
                }
                let in_source_array =
                    stack.last().is_some_and(|o| o.source_array) && pending_key.is_none();
                if pending_key.is_some() && last_key_is_cell_type {
                    if let Some(o) = stack.last_mut() {
                        o.markdown = text.get(start..end) == Some("markdown");
                    }
                } else if (pending_key.is_some() && last_key_is_source) || in_source_array {
                    // The cell object: the top of the stack, or below the source array.
                    let depth = stack.len().saturating_sub(usize::from(in_source_array));
                    let markdown = depth
                        .checked_sub(1)
                        .and_then(|d| stack.get(d))
                        .is_some_and(|o| o.markdown);
                    out.push(Source {
                        range: start..end,
                        markdown,
                    });
                }
                pending_key = None;
                i = end + 1;
            }
            b'[' | b'{' => {
                stack.push(Open {
                    source_array: bytes[i] == b'[' && pending_key.is_some() && last_key_is_source,
                    markdown: false,
                });
                pending_key = None;
                i += 1;
            }
            b']' | b'}' => {
                stack.pop();
                pending_key = None;
                i += 1;
            }
            b',' => {
                pending_key = None;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_only() {
        let nb = r#"{"cells":[{"cell_type":"code","source":["a = 1\n","b"],"outputs":[{"text":["c"]}]},{"source":"d"}]}"#;
        let got: Vec<&str> = source_ranges(nb)
            .into_iter()
            .map(|s| &nb[s.range])
            .collect();
        assert_eq!(got, vec!["a = 1\\n", "b", "d"]);
    }

    #[test]
    fn markdown_cells() {
        // (notebook, the sources with their Markdown flag)
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                r##"{"cells":[{"cell_type":"markdown","metadata":{},"source":["# T\n","x"]},{"cell_type":"code","metadata":{"a":{"b":1}},"outputs":[],"source":["y"]}]}"##,
                &[("# T\\n", true), ("x", true), ("y", false)],
            ),
            // `cell_type` after `source` (not nbformat's order): read as code.
            (
                r#"{"cells":[{"source":"z","cell_type":"markdown"}]}"#,
                &[("z", false)],
            ),
            // A nested object's keys do not change the cell's type.
            (
                r#"{"cells":[{"cell_type":"markdown","metadata":{"cell_type":"code"},"source":"w"}]}"#,
                &[("w", true)],
            ),
            // A string source (not an array).
            (
                r#"{"cells":[{"cell_type":"markdown","source":"v"}]}"#,
                &[("v", true)],
            ),
        ];
        for (nb, want) in cases {
            let got: Vec<(&str, bool)> = source_ranges(nb)
                .into_iter()
                .map(|s| (&nb[s.range], s.markdown))
                .collect();
            assert_eq!(&got, want, "{nb}");
        }
    }

    #[test]
    fn unterminated() {
        let nb = r#"{"cells":[{"source":["from_pretrained(\"x/y"#;
        let got: Vec<&str> = source_ranges(nb)
            .into_iter()
            .map(|s| &nb[s.range])
            .collect();
        assert_eq!(got, vec![r#"from_pretrained(\"x/y"#]);
    }
}
