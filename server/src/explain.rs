//! What `fineprint explain` adds around the cards of [`crate::card`]: finding codes as
//! subjects, suggestions when nothing matches, and a plain-text rendering of a card's
//! Markdown for a terminal.
//!
//! Invariants:
//! * Suggestions come only from what the knowledge base and the code list hold (license
//!   ids, family ids and names, example ids, finding codes), best first, at most
//!   [`MAX_SUGGESTIONS`], without duplicates, and each one something `explain`
//!   answers for; nothing is suggested for an empty query.
//! * [`family_overview`] lists only families whose id starts with the query as a whole
//!   name part (`flux` → `flux-1-dev`, never `fluxgym`), each with the license the
//!   rules give it and every other license a variant of it has: a family name that
//!   covers differently licensed models is never answered with one license.
//! * [`to_terminal`] only removes markup (headings, emphasis, code spans, link syntax);
//!   it never drops words, and a link keeps its address.

use crate::codes::Code;
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// The most suggestions shown.
pub const MAX_SUGGESTIONS: usize = 8;

/// The most families an overview lists.
pub const MAX_OVERVIEW: usize = 40;

/// What a short family name (`flux`, `llama`, `qwen`) stands for: the families whose id
/// starts with it as a whole name part, each with its license, as a Markdown card;
/// `None` when no family id starts so.
pub fn family_overview(kb: &KnowledgeBase, query: &str) -> Option<String> {
    let q = query.trim().to_ascii_lowercase();
    if q.len() < 2 {
        return None;
    }
    let starts_part = |id: &str| {
        let id = id.to_ascii_lowercase();
        id.strip_prefix(&q)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_ascii_alphabetic()))
    };
    let matches: Vec<&crate::kb::Family> =
        kb.families.iter().filter(|f| starts_part(&f.id)).collect();
    if matches.is_empty() {
        return None;
    }
    let mut licenses = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    for f in matches.iter().take(MAX_OVERVIEW) {
        let label = |id: &str| {
            kb.license(id)
                .map_or_else(|| format!("`{id}`"), crate::card::short_label)
        };
        licenses.insert(f.license.clone());
        let mut others: Vec<&str> = Vec::new();
        for v in &f.variant {
            licenses.insert(v.license.clone());
            if v.license != f.license && !others.contains(&v.license.as_str()) {
                others.push(&v.license);
            }
        }
        let mut line = format!(
            "- `{}`: {} by {} · {}",
            f.id,
            f.name,
            f.vendor,
            label(&f.license)
        );
        if !others.is_empty() {
            let o: Vec<String> = others.iter().map(|l| label(l)).collect();
            line.push_str(&format!(" (some variants: {})", o.join("; ")));
        }
        lines.push(line);
    }
    let n = matches.len();
    let mut out = format!(
        "### `{q}`: {n} model famil{} fineprint knows\n\n",
        if n == 1 { "y" } else { "ies" }
    );
    out.push_str(if licenses.len() > 1 {
        "Their licenses differ: name the model you use (`fineprint explain ID`, or the id as your code writes it) for its card.\n\n"
    } else {
        "They share one license; `fineprint explain ID` gives a family's card.\n\n"
    });
    out.push_str(&lines.join("\n"));
    if n > MAX_OVERVIEW {
        out.push_str(&format!("\n- and {} more", n - MAX_OVERVIEW));
    }
    out.push('\n');
    Some(out)
}

/// The card of a finding code: what it means, where the documentation is, and what the
/// policy in force does with it.
pub fn code_card(code: Code, policy: &Policy) -> String {
    let mut out = format!(
        "### `{}` (finding code)\n\n{}\n\n",
        code.as_str(),
        code.description()
    );
    match policy.severity.get(&code) {
        Some(Some(sev)) => out.push_str(&format!(
            "The policy in force sets its severity to **{}**.\n\n",
            sev.as_str()
        )),
        Some(None) => out.push_str("The policy in force turns it **off**.\n\n"),
        None => out.push_str(&format!(
            "Its severity follows the policy's `use` (`{}` here): see the table of docs/codes.md.\n\n",
            policy.use_case.as_str()
        )),
    }
    out.push_str(&format!(
        "Change it in the policy: `[severity]` then `{} = \"warning\"` (or `error`, `information`, `hint`, `off`).\n",
        code.as_str()
    ));
    out
}

/// Names close to `query`: those that contain it (or that it contains) first, then those
/// within a small edit distance, best first.
pub fn suggestions(kb: &KnowledgeBase, query: &str) -> Vec<String> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<String> = Vec::new();
    names.extend(kb.licenses.iter().map(|l| l.id.clone()));
    names.extend(Code::ALL.iter().map(|c| c.as_str().to_string()));
    for f in &kb.families {
        names.push(f.id.clone());
        names.extend(f.examples.positive.iter().take(3).cloned());
    }
    let mut scored: Vec<(u8, f64, String)> = names
        .into_iter()
        .filter_map(|n| {
            let l = n.to_ascii_lowercase();
            if l == q {
                return None;
            }
            let contains = q.len() >= 3 && (l.contains(&q) || (l.len() >= 4 && q.contains(&l)));
            let sim = strsim::jaro_winkler(&q, &l);
            if contains {
                Some((0, -sim, n))
            } else if sim >= 0.9 || strsim::levenshtein(&q, &l) <= 1 {
                Some((1, -sim, n))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let mut out: Vec<String> = Vec::new();
    for (_, _, n) in scored {
        // Only what `explain` itself answers for.
        let answers = kb.license(&n).is_some()
            || Code::parse(&n).is_some()
            || crate::resolve::resolve_str(kb, &n).is_some_and(|r| r.resolution.is_some());
        if answers && !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
        if out.len() == MAX_SUGGESTIONS {
            break;
        }
    }
    out
}

/// A card's Markdown as plain text for a terminal: `### x` → `x`, `**x**` → `x`,
/// `` `x` `` → `x`, `[text](url)` → `text <url>`.
pub fn to_terminal(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim_start_matches('#').trim_start_matches(' ');
        out.push_str(&plain_line(line));
        out.push('\n');
    }
    out
}

/// One line without inline markup.
fn plain_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find(['[', '*', '`']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("**") {
            rest = t;
        } else if let Some(t) = tail.strip_prefix('`') {
            rest = t;
        } else if let Some((text, url, after)) = link(tail) {
            out.push_str(text);
            out.push_str(" <");
            out.push_str(url);
            out.push('>');
            rest = after;
        } else {
            // A lone `[` or `*`: kept as written.
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `[text](url)` at the start of `s`: its text, its address and what follows.
fn link(s: &str) -> Option<(&str, &str, &str)> {
    let s = s.strip_prefix('[')?;
    let close = s.find("](")?;
    let text = &s[..close];
    let after = &s[close + 2..];
    let end = after.find(')')?;
    Some((text, &after[..end], &after[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_text() {
        // (Markdown, plain text)
        let cases = [
            (
                "### `FLUX.1-dev` · FLUX.1 [dev]",
                "FLUX.1-dev · FLUX.1 [dev]",
            ),
            (
                "**License:** [MIT](https://x.org/mit) (`mit`)",
                "License: MIT <https://x.org/mit> (mit)",
            ),
            ("a * b and [c] d", "a * b and [c] d"),
            ("plain", "plain"),
        ];
        for (md, want) in cases {
            assert_eq!(to_terminal(md).trim_end(), want, "{md}");
        }
    }

    #[test]
    fn suggestions_come_from_the_knowledge() {
        let kb = KnowledgeBase::builtin_for_tests();
        // (query, a name that must be suggested)
        let cases = [
            ("lama3.1", "llama3.1"),
            ("flux", "flux-1-dev"),
            ("non-comercial", "non-commercial"),
            ("apache2.0", "apache-2.0"),
        ];
        for (q, want) in cases {
            let got = suggestions(kb, q);
            assert!(got.iter().any(|g| g == want), "{q}: {got:?}");
            assert!(got.len() <= MAX_SUGGESTIONS);
        }
        assert!(suggestions(kb, "").is_empty());
        assert!(suggestions(kb, "zzzzqqqq-nothing").is_empty());
    }
}
