//! Naming a license from its text (an Ollama license layer, a Modelfile `LICENSE`).
//!
//! Each license in `rules/licenses/` may list `fingerprints`: short phrases, such as
//! its title, that appear in its text. A text names a license when it contains every
//! fingerprint of it, compared without case and with runs of white space as one
//! space; among several, the license with the most fingerprint characters wins (so
//! "Llama 3.1 Community License" beats a bare "Community License"). A text that is
//! only a license id or alias (`LICENSE apache-2.0`) names that license.

use crate::kb::KnowledgeBase;

fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

/// The index of the license a text names, if any.
pub fn identify(kb: &KnowledgeBase, text: &str) -> Option<usize> {
    let t = squash(text);
    if !t.contains(' ')
        && let Some(i) = kb.license_index(&t)
    {
        return Some(i);
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, lic) in kb.licenses.iter().enumerate() {
        if lic.fingerprints.is_empty() {
            continue;
        }
        let all = lic.fingerprints.iter().all(|f| t.contains(&squash(f)));
        let weight: usize = lic.fingerprints.iter().map(String::len).sum();
        if all && best.is_none_or(|(_, w)| weight > w) {
            best = Some((i, weight));
        }
    }
    best.map(|(i, _)| i)
}
