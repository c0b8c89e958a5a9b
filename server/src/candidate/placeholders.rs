//! Words that look like model names but name none: tutorial placeholders
//! (`your-username/my-model`), generic GGUF file names (`model.gguf`), MIME types
//! (`image/png`), and closed API names continued by a word no API name has
//! (`claude-3-5-sonnet-heading`, an HTML id). The vocabulary is data
//! (`rules/detect.toml`); these functions only apply it.
//!
//! Invariant: every test is a comparison of short words; nothing here allocates more
//! than the lowercased word.

use crate::kb::DetectVocab;
use crate::kb::generated::key_of;

/// Lowercase with `_` as `-`, as the knowledge base folds names.
fn fold(s: &str) -> String {
    key_of(s, false)
}

/// Whether `a` equals `b` once both are folded, without allocating.
fn folded_eq(a: &[u8], b: &[u8]) -> bool {
    let f = |c: u8| {
        if c == b'_' {
            b'-'
        } else {
            c.to_ascii_lowercase()
        }
    };
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| f(*x) == f(*y))
}

/// Whether `word` (folded) is in a list of words and `prefix*` globs.
fn listed(list: &[String], word: &str) -> bool {
    let w = word.as_bytes();
    list.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => w.len() >= prefix.len() && folded_eq(&w[..prefix.len()], prefix.as_bytes()),
        None => folded_eq(w, p.as_bytes()),
    })
}

/// Whether `org/name` is a placeholder: its org or its name is one.
pub fn is_placeholder_repo(vocab: &DetectVocab, org: &str, name: &str) -> bool {
    listed(&vocab.placeholder_orgs, org) || listed(&vocab.placeholder_names, name)
}

/// Whether `org` is never a Hub org (a MIME top-level type).
pub fn is_not_org(vocab: &DetectVocab, org: &str) -> bool {
    vocab.not_orgs.iter().any(|o| o.eq_ignore_ascii_case(org))
}

/// The stem of a GGUF file name without its quantization and shard suffixes:
/// `model-00001-of-00003-Q4_K_M.gguf` -> `model`.
fn gguf_stem(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let mut parts: Vec<&str> = stem.split(['-', '.', '_']).collect();
    // Drop trailing parts that are quantizations, precisions, shard counters or `of`.
    while let Some(last) = parts.last() {
        let l = last.to_ascii_lowercase();
        let quant = l.starts_with('q') && l[1..].starts_with(|c: char| c.is_ascii_digit())
            || l.starts_with("iq") && l[2..].starts_with(|c: char| c.is_ascii_digit())
            || matches!(
                l.as_str(),
                "f16"
                    | "f32"
                    | "bf16"
                    | "fp16"
                    | "fp32"
                    | "k"
                    | "m"
                    | "s"
                    | "l"
                    | "xs"
                    | "xxs"
                    | "of"
                    | "0"
                    | "1"
            )
            || (!l.is_empty() && l.chars().all(|c| c.is_ascii_digit()));
        if quant && parts.len() > 1 {
            parts.pop();
        } else {
            break;
        }
    }
    fold(&parts.join("-"))
}

/// Whether a GGUF file name names no model: a generic stem or one of one or two
/// characters.
pub fn is_generic_gguf(vocab: &DetectVocab, file: &str) -> bool {
    let stem = gguf_stem(file);
    stem.chars().count() <= 2 || listed(&vocab.generic_gguf_stems, &stem)
}

/// Whether a weight file name (`.safetensors`, `.pth`, `.onnx`, ...) names no model:
/// every word of its stem is generic (`pytorch_model`, `diffusion_pytorch_model`,
/// `model-00001-of-00004`, `best`, `checkpoint_epoch_10`), a number, a size (`7b`) or a
/// precision (`fp16`, `bf16`, `fp8`, `int8`), or the stem has one or two characters.
pub fn is_generic_weights(vocab: &DetectVocab, file: &str) -> bool {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if stem.chars().count() <= 2 {
        return true;
    }
    stem.split(['-', '.', '_', ' '])
        .filter(|t| !t.is_empty())
        .all(|t| {
            let l = t.to_ascii_lowercase();
            l.bytes().all(|b| b.is_ascii_digit())
                || is_size(&l)
                || is_precision(&l)
                || listed(&vocab.generic_weight_words, &l)
        })
}

/// `7b`, `13b`, `350m`: a size with no name.
fn is_size(l: &str) -> bool {
    l.strip_suffix(['b', 'm', 'k'])
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// `fp16`, `bf16`, `fp32`, `f16`, `fp8`, `int8`, `int4`, `e4m3fn`: a number format.
fn is_precision(l: &str) -> bool {
    let digits_after = |p: &str| {
        l.strip_prefix(p)
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
    };
    ["fp", "bf", "f", "int", "uint", "q"]
        .iter()
        .any(|p| digits_after(p))
        || matches!(l, "e4m3fn" | "e5m2" | "nf4" | "fp8e4m3" | "half" | "float")
}

/// Whether `word` can be the closed API name that `pattern` matched: no `_` (API names
/// use `-`); and, when `strict` (outside a model context), after the pattern's last
/// literal part only `-` tail words that hold a digit or are in the vocabulary
/// (`-latest`, `-20240620`, not `-heading`).
pub fn api_name_whole(vocab: &DetectVocab, word: &str, pattern: &str, strict: bool) -> bool {
    if word.contains('_') {
        return false;
    }
    if !strict {
        return true;
    }
    let Some(head) = pattern.strip_suffix('*') else {
        return true;
    };
    let last = fold(head.rsplit('*').next().unwrap_or(head));
    let w = fold(word);
    let Some(at) = w.rfind(&last) else {
        return true;
    };
    w[at + last.len()..]
        .split(['-', '.', ':'])
        .filter(|t| !t.is_empty())
        .all(|t| {
            t.chars().any(|c| c.is_ascii_digit())
                || vocab
                    .api_tail_words
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(t))
        })
}

/// Whether a name's last `-` part makes it a description (`Llama-2-style`,
/// `Qwen2.5-based`): see `descriptive_tail_words` in `rules/detect.toml`.
pub fn descriptive_name(vocab: &DetectVocab, name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(_, tail)| {
        vocab
            .descriptive_tail_words
            .iter()
            .any(|x| x.eq_ignore_ascii_case(tail))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> &'static DetectVocab {
        &crate::kb::KnowledgeBase::builtin_for_tests().vocab
    }

    #[test]
    fn placeholders() {
        let cases: &[(&str, &str, bool)] = &[
            ("org", "some-model", true),
            ("your-username", "llama-3-8b-ft", true),
            ("your_org", "x", true),
            ("myuser", "mymodel", true),
            ("owner", "repo", true),
            ("meta-llama", "model", true),
            ("meta-llama", "Llama-3.1-8B", false),
            ("organic-ai", "llama", false),
            ("mymodels-lab", "x", false),
            ("Qwen", "Qwen2.5-7B", false),
            ("userlab", "bert", false),
        ];
        for (org, name, want) in cases {
            assert_eq!(
                is_placeholder_repo(vocab(), org, name),
                *want,
                "{org}/{name}"
            );
        }
    }

    #[test]
    fn generic_gguf_names() {
        let cases: &[(&str, bool)] = &[
            ("model.gguf", true),
            ("m.gguf", true),
            ("test.gguf", true),
            ("model-00001-of-00003.gguf", true),
            ("ggml-model-q4_0.gguf", true),
            ("model-Q4_K_M.gguf", true),
            ("tiny.gguf", true),
            ("llama-2-7b.Q4_K_M.gguf", false),
            ("qwen2.5-7b-instruct-q4_k_m.gguf", false),
            ("mistral.gguf", false),
            ("phi3.gguf", false),
        ];
        for (file, want) in cases {
            assert_eq!(is_generic_gguf(vocab(), file), *want, "{file}");
        }
    }

    #[test]
    fn api_names_are_whole() {
        let cases: &[(&str, &str, bool)] = &[
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet*", true),
            ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet*", true),
            ("claude-3-5-sonnet-heading", "claude-3-5-sonnet*", false),
            ("gpt-4o", "gpt-4o*", true),
            ("gpt-4o-mini", "gpt-4o*", true),
            ("gpt-4o-mini-2024-07-18", "gpt-4o*", true),
            ("gpt-4o-audio-preview", "gpt-4o*", true),
            ("gpt_4o_model", "gpt-4o*", false),
            ("gpt-4o-model", "gpt-4o*", false),
            ("claude-chat-completions-streaming", "claude-*", false),
            ("gemini-2.0-flash-lite", "gemini-*", true),
            ("o1", "o1", true),
        ];
        for (word, pattern, want) in cases {
            assert_eq!(
                api_name_whole(vocab(), word, pattern, true),
                *want,
                "{word} ~ {pattern}"
            );
            if !word.contains('_') {
                assert!(
                    api_name_whole(vocab(), word, pattern, false),
                    "{word} in a model context"
                );
            }
        }
    }
}
