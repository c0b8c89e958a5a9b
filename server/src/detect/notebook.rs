//! Byte ranges of the cell sources of a Jupyter notebook, read from the raw JSON
//! without parsing it, so that a half-written notebook still yields its sources.
//!
//! Invariant: every range returned lies between the quotes of one JSON string that is
//! the value (or an element of the array value) of a `"source"` key. Outputs,
//! metadata and everything else are left out.

/// The ranges (inside the quotes) of every string under a `"source"` key.
pub fn source_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // The key that owns each open container; `true` when it is "source".
    let mut stack: Vec<bool> = Vec::new();
    let mut last_key_is_source = false;
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
                    i = k + 1;
                    continue;
                }
                let in_source_array =
                    stack.last().copied().unwrap_or(false) && pending_key.is_none();
                if (pending_key.is_some() && last_key_is_source) || in_source_array {
                    out.push(start..end);
                }
                pending_key = None;
                i = end + 1;
            }
            b'[' | b'{' => {
                stack.push(bytes[i] == b'[' && pending_key.is_some() && last_key_is_source);
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
        let got: Vec<&str> = source_ranges(nb).into_iter().map(|r| &nb[r]).collect();
        assert_eq!(got, vec!["a = 1\\n", "b", "d"]);
    }

    #[test]
    fn unterminated() {
        let nb = r#"{"cells":[{"source":["from_pretrained(\"x/y"#;
        let got: Vec<&str> = source_ranges(nb).into_iter().map(|r| &nb[r]).collect();
        assert_eq!(got, vec![r#"from_pretrained(\"x/y"#]);
    }
}
