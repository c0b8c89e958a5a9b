//! The license keys of a model card's YAML front matter.
//!
//! A Hugging Face model card (`README.md`) starts with a YAML block between two `---`
//! lines. fineprint reads only the top-level keys `license`, `license_name`,
//! `license_link` and `base_model`, whose values are scalars or lists of scalars, so a
//! small line reader is enough and no YAML library is pulled in. Anything it does not
//! understand is skipped, never guessed: a value it cannot read is simply absent.
//!
//! Invariants: reads at most the front matter (it stops at the closing `---`); never
//! panics on any input; values are unquoted and trimmed.

/// The license-related keys of a card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardMeta {
    /// `license:` (a Hub license id such as `apache-2.0`, or `other`).
    pub license: Option<String>,
    /// `license_name:` (set when `license: other`).
    pub license_name: Option<String>,
    /// `license_link:`.
    pub license_link: Option<String>,
    /// `base_model:` (one id or a list).
    pub base_model: Vec<String>,
    /// 1-based line of the `license` key in the file.
    pub license_line: Option<usize>,
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    let v = v.split(" #").next().unwrap_or(v).trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.trim();
        }
    }
    v
}

fn scalar(v: &str) -> Option<String> {
    let v = unquote(v);
    (!v.is_empty() && !v.starts_with(['[', '{', '|', '>', '&', '*'])).then(|| v.to_string())
}

fn inline_list(v: &str) -> Option<Vec<String>> {
    let inner = v.trim().strip_prefix('[')?.strip_suffix(']')?;
    Some(
        inner
            .split(',')
            .map(unquote)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// Reads the front matter of a card; `None` when the text has none.
pub fn parse(text: &str) -> Option<CardMeta> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let (_, first) = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut meta = CardMeta::default();
    // The list key whose `- item` lines follow, if any.
    let mut list_of: Option<&str> = None;
    for (i, line) in lines {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            return Some(meta);
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            if list_of == Some("base_model")
                && let Some(v) = scalar(item)
            {
                meta.base_model.push(v);
            }
            continue;
        }
        if indented {
            continue;
        }
        list_of = None;
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        match key {
            "license" => {
                meta.license = scalar(value).map(|s| s.to_ascii_lowercase());
                meta.license_line = Some(i + 1);
            }
            "license_name" => meta.license_name = scalar(value).map(|s| s.to_ascii_lowercase()),
            "license_link" => meta.license_link = scalar(value),
            "base_model" => {
                if value.is_empty() {
                    list_of = Some("base_model");
                } else if let Some(items) = inline_list(value) {
                    meta.base_model.extend(items);
                } else if let Some(v) = scalar(value) {
                    meta.base_model.push(v);
                }
            }
            _ => {}
        }
    }
    // No closing line: the front matter is incomplete, so nothing in it is trusted.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (card, license, license_name, base models)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static [&'static str],
    );

    #[test]
    fn cases() {
        let cases: &[Case] = &[
            (
                "---\nlicense: apache-2.0\n---\n# x",
                Some("apache-2.0"),
                None,
                &[],
            ),
            (
                "---\nlicense: other\nlicense_name: qwen-research\nlicense_link: https://x/LICENSE\n---\n",
                Some("other"),
                Some("qwen-research"),
                &[],
            ),
            (
                "---\nlicense: \"MIT\"\nbase_model: meta-llama/Llama-3.1-8B\n---\n",
                Some("mit"),
                None,
                &["meta-llama/Llama-3.1-8B"],
            ),
            (
                "---\nbase_model:\n- Qwen/Qwen2.5-7B\n- Qwen/Qwen2.5-7B-Instruct\nlicense: apache-2.0\n---\n",
                Some("apache-2.0"),
                None,
                &["Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B-Instruct"],
            ),
            (
                "---\nbase_model: ['a/b', \"c/d\"]\n---\n",
                None,
                None,
                &["a/b", "c/d"],
            ),
            (
                "---\ntags:\n- license: mit\nmodel-index:\n  - name: x\n    license: gpl\n---\n",
                None,
                None,
                &[],
            ),
            (
                "---\nlicense: apache-2.0 # comment\n---\n",
                Some("apache-2.0"),
                None,
                &[],
            ),
            (
                "\u{feff}---\r\nlicense: mit\r\n---\r\n",
                Some("mit"),
                None,
                &[],
            ),
        ];
        for (card, lic, name, bases) in cases {
            let m = parse(card).unwrap_or_else(|| panic!("no front matter in {card:?}"));
            assert_eq!(m.license.as_deref(), *lic, "{card:?}");
            assert_eq!(m.license_name.as_deref(), *name, "{card:?}");
            assert_eq!(
                m.base_model,
                bases.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{card:?}"
            );
        }
    }

    #[test]
    fn no_front_matter() {
        for text in ["# Title\nlicense: mit", "", "---\nlicense: mit\n", "--- \n"] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
