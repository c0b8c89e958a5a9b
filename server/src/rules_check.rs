//! Quality gates for the knowledge base, beyond what loading enforces: provenance of
//! every fact, dates, examples that resolve where they say, and ties between patterns.
//! Used by the test suite and by `fineprint rules check`.
//!
//! It sits above the engine (it resolves and detects every example a rule gives), so it
//! lives beside `check`, not inside `kb`: the knowledge base itself imports no engine code.

use std::collections::{HashMap, HashSet};

use crate::kb::generated::{GenEntry, GenKind, key_of};
use crate::kb::{Fact, KnowledgeBase, License, PatternKind, Source, valid_date};
use crate::resolve::resolve_str;

/// One finding about the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File it is in.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

fn valid_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

fn check_source(s: &Source, what: &str, need_section: bool, out: &mut Vec<String>) {
    if !valid_url(&s.url) {
        out.push(format!(
            "{what}: source url `{}` is not an http(s) URL",
            s.url
        ));
    }
    if !valid_date(&s.checked) {
        out.push(format!(
            "{what}: source checked `{}` is not a YYYY-MM-DD date",
            s.checked
        ));
    }
    if need_section && s.section.as_deref().is_none_or(|x| x.trim().is_empty()) {
        out.push(format!("{what}: source has no section"));
    }
    if s.inferred && s.note.as_deref().is_none_or(|x| x.trim().is_empty()) {
        out.push(format!(
            "{what}: inferred without a note saying what it rests on"
        ));
    }
}

fn check_fact(f: &dyn Fact, what: &str, out: &mut Vec<String>) {
    if f.section().trim().is_empty() {
        out.push(format!("{what}: no section"));
    }
    if f.text().trim().is_empty() {
        out.push(format!("{what}: no text"));
    }
    if let Some(u) = f.url()
        && !valid_url(u)
    {
        out.push(format!("{what}: url `{u}` is not an http(s) URL"));
    }
    if let Some(d) = f.checked()
        && !valid_date(d)
    {
        out.push(format!("{what}: checked `{d}` is not a YYYY-MM-DD date"));
    }
    if f.inferred() && f.note().is_none_or(|n| n.trim().is_empty()) {
        out.push(format!(
            "{what}: inferred without a note saying what it rests on"
        ));
    }
}

fn check_license(l: &License) -> Vec<String> {
    let mut out = Vec::new();
    let id = &l.id;
    if *id != id.to_lowercase() {
        out.push(format!("license `{id}`: ids are lowercase"));
    }
    if !valid_url(&l.url) {
        out.push(format!(
            "license `{id}`: url `{}` is not an http(s) URL",
            l.url
        ));
    }
    if l.summary.trim().is_empty() {
        out.push(format!("license `{id}`: empty summary"));
    }
    check_source(&l.source, &format!("license `{id}`"), false, &mut out);
    check_fact(
        &l.commercial,
        &format!("license `{id}` commercial"),
        &mut out,
    );
    for c in &l.commercial.conditions {
        check_fact(
            c,
            &format!("license `{id}` condition {:?}", c.kind),
            &mut out,
        );
        if c.kind.is_numeric() != c.limit.is_some() {
            out.push(format!("license `{id}` condition {:?}: `limit` is required for numeric kinds and only for them", c.kind));
        }
    }
    for f in &l.field_of_use {
        check_fact(
            f,
            &format!("license `{id}` field_of_use {}", f.field),
            &mut out,
        );
    }
    for o in &l.outputs {
        check_fact(
            o,
            &format!("license `{id}` outputs {:?}", o.clause),
            &mut out,
        );
    }
    for a in &l.attribution {
        check_fact(
            a,
            &format!("license `{id}` attribution {:?}", a.kind),
            &mut out,
        );
    }
    for r in &l.regions {
        check_fact(r, &format!("license `{id}` regions"), &mut out);
        if r.excluded.is_empty() {
            out.push(format!("license `{id}` regions: empty `excluded`"));
        }
    }
    if let Some(d) = &l.derivatives {
        check_fact(d, &format!("license `{id}` derivatives"), &mut out);
    }
    out
}

/// Every problem in the base. An empty list means it passes every gate.
pub fn validate(kb: &KnowledgeBase) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (l, file) in kb.licenses.iter().zip(&kb.license_files) {
        for message in check_license(l) {
            problems.push(Problem {
                file: file.clone(),
                message,
            });
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (fi, (f, file)) in kb.families.iter().zip(&kb.family_files).enumerate() {
        let mut out = Vec::new();
        if let Some(prev) = seen.insert(f.id.clone(), file.clone()) {
            out.push(format!(
                "family `{}` is defined twice (also in {prev})",
                f.id
            ));
        }
        check_source(&f.source, &format!("family `{}`", f.id), true, &mut out);
        if let Some(s) = &f.training_data_source {
            check_source(
                s,
                &format!("family `{}` training_data_source", f.id),
                true,
                &mut out,
            );
        }
        if let Some(b) = &f.base
            && !b.is_empty()
            && kb.family(b).is_none()
        {
            out.push(format!("family `{}`: base `{b}` is not a family id", f.id));
        }
        for a in &f.alternatives {
            if kb.family(a).is_none() {
                out.push(format!(
                    "family `{}`: alternative `{a}` is not a family id",
                    f.id
                ));
            }
        }
        let histories = std::iter::once((f.id.clone(), &f.history)).chain(
            f.variant
                .iter()
                .map(|v| (format!("{} {}", f.id, v.name), &v.history)),
        );
        for (label, history) in histories {
            for h in history {
                let what = format!("family `{label}`: earlier license `{}`", h.license);
                check_source(&h.source, &what, true, &mut out);
                if kb.license(&h.license).is_none() {
                    out.push(format!("{what} is not a license id"));
                }
                if !valid_date(&h.until) {
                    out.push(format!(
                        "{what}: `until` must be a date YYYY-MM-DD, found `{}`",
                        h.until
                    ));
                }
            }
        }
        let p = &f.patterns;
        if p.hf.is_empty() && p.names.is_empty() && p.ollama.is_empty() && p.api.is_empty() {
            out.push(format!("family `{}` has no patterns", f.id));
        }
        if f.examples.positive.is_empty() {
            out.push(format!("family `{}` has no positive examples", f.id));
        }
        let groups = std::iter::once((None, &f.examples, f.name.clone())).chain(
            f.variant
                .iter()
                .enumerate()
                .map(|(vi, v)| (Some(vi), &v.examples, format!("{} {}", f.name, v.name))),
        );
        for (vi, ex, label) in groups {
            if let Some(v) = vi.and_then(|i| f.variant.get(i)) {
                check_source(&v.source, &format!("variant `{label}`"), true, &mut out);
                if v.examples.positive.is_empty() {
                    out.push(format!("variant `{label}` has no positive examples"));
                }
            }
            for e in &ex.positive {
                match resolve_str(kb, e).and_then(|r| r.resolution) {
                    Some(r) if r.at.is_some_and(|a| a.family == fi && a.variant == vi) => {}
                    Some(r) => {
                        let other = r.family(kb).map_or("no family", |f| f.name.as_str());
                        let v =
                            r.at.and_then(|a| kb.families.get(a.family)?.variant.get(a.variant?))
                                .map_or(String::new(), |v| format!(" {}", v.name));
                        out.push(format!(
                            "{label}: positive example `{e}` resolves to {other}{v} (pattern `{}`)",
                            r.pattern
                        ));
                    }
                    None => out.push(format!("{label}: positive example `{e}` does not resolve")),
                }
            }
            for e in &ex.negative {
                if let Some(r) = resolve_str(kb, e).and_then(|r| r.resolution)
                    && r.at.is_some_and(|a| a.family == fi && a.variant == vi)
                {
                    out.push(format!(
                        "{label}: negative example `{e}` resolves here (pattern `{}`)",
                        r.pattern
                    ));
                }
            }
        }
        problems.extend(out.into_iter().map(|message| Problem {
            file: file.clone(),
            message,
        }));
    }
    problems.extend(ties(kb));
    problems.extend(libraries(kb));
    problems
}

/// The library table: sources, defaults and mappings that resolve, examples that land
/// where they say.
fn libraries(kb: &KnowledgeBase) -> Vec<Problem> {
    use crate::resolve::resolve_library_name;
    let mut problems = Vec::new();
    let libs = &kb.libraries.libraries;
    for (li, (lib, file)) in libs.iter().zip(&kb.library_files).enumerate() {
        let mut out = Vec::new();
        let what = format!("library `{}`", lib.id);
        check_source(&lib.source, &what, true, &mut out);
        if lib.calls.is_empty() {
            out.push(format!("{what} has no calls"));
        }
        if lib.names.is_empty() && lib.default.is_none() && !kb_has_lib_index(kb, &lib.id) {
            out.push(format!(
                "{what} has no names, no default and no generated index `lib:{}`",
                lib.id
            ));
        }
        if let Some(d) = lib.default.as_deref() {
            match &lib.default_source {
                Some(s) => check_source(s, &format!("{what} default_source"), true, &mut out),
                None => out.push(format!("{what}: a default needs a default_source")),
            }
            if resolve_str(kb, d).and_then(|r| r.resolution).is_none() {
                out.push(format!("{what}: default `{d}` does not resolve"));
            }
        }
        for snippet in &lib.examples.negative {
            let refs = crate::detect::detect(snippet, crate::detect::FileKind::Python, kb);
            if refs
                .iter()
                .any(|r| r.kind == crate::resolve::RefKind::Library)
            {
                out.push(format!(
                    "{what}: negative example `{snippet}` is a reference"
                ));
            }
        }
        for (ni, names) in lib.names.iter().enumerate() {
            let label = format!("{what} names {:?}", names.globs);
            check_source(&names.source, &label, true, &mut out);
            if names.model.is_some() == names.family.is_some() {
                out.push(format!("{label}: give exactly one of `model` and `family`"));
            }
            if names.examples.positive.is_empty() {
                out.push(format!("{label} has no positive examples"));
            }
            for e in &names.examples.positive {
                let here = kb.libraries.name(li, e).is_some_and(|m| m.entry == ni);
                match resolve_library_name(kb, li, e) {
                    _ if !here => out.push(format!(
                        "{label}: positive example `{e}` does not match here"
                    )),
                    // A checkpoint whose license nobody states stays unknown, said so.
                    Some((_, None)) if names.note.is_some() => {}
                    Some((id, None)) => out.push(format!(
                        "{label}: `{e}` maps to `{id}`, which the rules do not resolve (if its license is unknown, say why in a `note`)"
                    )),
                    None => out.push(format!("{label}: positive example `{e}` does not resolve")),
                    Some(_) => {}
                }
            }
            for e in &names.examples.negative {
                if kb.libraries.name(li, e).is_some_and(|m| m.entry == ni) {
                    out.push(format!("{label}: negative example `{e}` matches here"));
                }
            }
        }
        problems.extend(out.into_iter().map(|message| Problem {
            file: file.clone(),
            message,
        }));
    }
    problems
}

fn kb_has_lib_index(kb: &KnowledgeBase, lib: &str) -> bool {
    kb.generated
        .entries
        .iter()
        .any(|e| e.kind == GenKind::Lib && e.library.eq_ignore_ascii_case(lib))
}

/// An id on which two sources of the base give different licenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The id as the generated index writes it.
    pub id: String,
    /// The generated file and the license it gives.
    pub generated: (String, String),
    /// The other side: a curated rule (`rule `pattern``) or another generated file,
    /// and the license it gives.
    pub other: (String, String),
}

/// The curated answer for a generated entry's id, if a curated pattern matches it:
/// (the rule, as `rule `pattern``, and the license id).
fn curated_answer(kb: &KnowledgeBase, e: &GenEntry) -> Option<(String, String)> {
    let m = match e.kind {
        GenKind::Hf => kb.best_match(PatternKind::HfRepo, &e.id).or_else(|| {
            let name = e.id.rsplit_once('/').map_or(e.id.as_str(), |(_, n)| n);
            kb.best_match(PatternKind::Name, name)
        }),
        GenKind::Api => kb.best_match(PatternKind::Api, &e.id),
        GenKind::Ollama => kb.best_match(PatternKind::Ollama, &e.id),
        GenKind::Lib => None,
    }?;
    Some((
        format!("rule `{}`", m.pattern),
        kb.license_of(m.at).id.clone(),
    ))
}

/// Every id on which a generated index disagrees with the curated rules (which win) or
/// with another generated index (the stricter applies). Not a problem of the base: a
/// list for people to settle with a curated rule.
pub fn disagreements(kb: &KnowledgeBase) -> Vec<Disagreement> {
    let same = |a: &str, b: &str| kb.license_index(a) == kb.license_index(b);
    let mut out = Vec::new();
    let mut first: HashMap<(GenKind, String, String), usize> = HashMap::new();
    for (i, e) in kb.generated.entries.iter().enumerate() {
        let file = kb.generated.source_of(e).file.clone();
        if let Some((rule, lic)) = curated_answer(kb, e)
            && !same(&lic, &e.license)
        {
            out.push(Disagreement {
                id: e.id.clone(),
                generated: (file.clone(), e.license.clone()),
                other: (rule, lic),
            });
        }
        let key = (
            e.kind,
            e.library.to_lowercase(),
            key_of(&e.id, e.kind == GenKind::Api),
        );
        match first.get(&key).and_then(|&j| kb.generated.entries.get(j)) {
            Some(prev) if !same(&prev.license, &e.license) => out.push(Disagreement {
                id: e.id.clone(),
                generated: (file, e.license.clone()),
                other: (
                    kb.generated.source_of(prev).file.clone(),
                    prev.license.clone(),
                ),
            }),
            Some(_) => {}
            None => {
                first.insert(key, i);
            }
        }
    }
    out
}

/// How many distinct real model ids the base resolves offline, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Hugging Face ids (vendor repositories, re-uploads, legacy ids).
    pub hf: usize,
    /// Hosted API names.
    pub api: usize,
    /// Ollama library names and tags.
    pub ollama: usize,
    /// Model files (GGUF and checkpoint names).
    pub files: usize,
    /// Library-native names held by the generated indexes.
    pub library: usize,
}

impl Coverage {
    /// All kinds together.
    pub fn total(&self) -> usize {
        self.hf + self.api + self.ollama + self.files + self.library
    }
}

/// Counts the distinct ids that resolve: every id of the generated indexes and every
/// positive example of the curated families, each resolved as a user would type it
/// (`resolve_str`), so an id counts only if the engine really resolves it. Library-
/// native names count when their library's index holds them and the library table
/// reads that library's calls (so they are found in code).
pub fn coverage(kb: &KnowledgeBase) -> Coverage {
    use crate::resolve::RefKind;
    let mut seen: HashSet<(u8, String)> = HashSet::new();
    let mut c = Coverage::default();
    let typed = kb
        .generated
        .entries
        .iter()
        .filter(|e| e.kind != GenKind::Lib)
        .map(|e| e.id.as_str())
        .chain(kb.families.iter().flat_map(|f| {
            f.examples
                .positive
                .iter()
                .chain(f.variant.iter().flat_map(|v| v.examples.positive.iter()))
                .map(String::as_str)
        }));
    for id in typed {
        let Some(r) = resolve_str(kb, id).filter(|r| r.resolution.is_some()) else {
            continue;
        };
        let (slot, tag) = match r.kind {
            RefKind::Hf => (&mut c.hf, 0),
            RefKind::Api => (&mut c.api, 1),
            RefKind::Ollama => (&mut c.ollama, 2),
            RefKind::Gguf | RefKind::File => (&mut c.files, 3),
            RefKind::Library => (&mut c.library, 4),
        };
        if seen.insert((tag, key_of(id.trim(), tag == 1))) {
            *slot += 1;
        }
    }
    // A library-native name counts when a library of the table reads it in code.
    for e in kb
        .generated
        .entries
        .iter()
        .filter(|e| e.kind == GenKind::Lib)
    {
        let typed = format!("{}:{}", e.library, e.id);
        if kb.libraries.by_id(&e.library).is_some()
            && resolve_str(kb, &typed).is_some_and(|r| r.resolution.is_some())
            && seen.insert((4, format!("{}:{}", e.library, key_of(&e.id, false))))
        {
            c.library += 1;
        }
    }
    c
}

/// Examples that two patterns of equal weight claim for different licenses.
fn ties(kb: &KnowledgeBase) -> Vec<Problem> {
    let mut out = Vec::new();
    for (fi, f) in kb.families.iter().enumerate() {
        let examples = f
            .examples
            .positive
            .iter()
            .chain(f.variant.iter().flat_map(|v| v.examples.positive.iter()));
        for e in examples {
            let e = e.trim();
            let queries: Vec<(PatternKind, String)> =
                if let Some((org_name, _)) = e.split_once(':').filter(|_| !e.contains('/')) {
                    vec![
                        (PatternKind::Ollama, e.to_string()),
                        (PatternKind::Ollama, org_name.to_string()),
                    ]
                } else if let Some((_, name)) = e.rsplit_once('/') {
                    vec![
                        (PatternKind::HfRepo, e.to_string()),
                        (PatternKind::Name, name.to_string()),
                    ]
                } else {
                    vec![
                        (PatternKind::Api, e.to_string()),
                        (PatternKind::HfLegacy, e.to_string()),
                        (PatternKind::Name, e.trim_end_matches(".gguf").to_string()),
                    ]
                };
            for (kind, q) in queries {
                let ms = kb.all_matches(kind, &q);
                let Some(top) = ms.iter().map(|m| m.weight).max() else {
                    continue;
                };
                let best: Vec<_> = ms.iter().filter(|m| m.weight == top).collect();
                let licenses: std::collections::BTreeSet<&str> = best
                    .iter()
                    .map(|m| kb.license_of(m.at).id.as_str())
                    .collect();
                if licenses.len() > 1 {
                    out.push(Problem {
                        file: kb.family_files[fi].clone(),
                        message: format!(
                            "`{e}`: patterns {} tie in specificity but give different licenses ({})",
                            best.iter().map(|m| format!("`{}`", m.pattern)).collect::<Vec<_>>().join(", "),
                            licenses.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        let cases = [
            ("2026-11-23", true),
            ("2027-02-28", true),
            ("2028-02-29", true),
            ("2000-02-29", true),
            ("2027-02-29", false),
            ("1900-02-29", false),
            ("2027-02-30", false),
            ("2027-04-31", false),
            ("2027-13-01", false),
            ("2027-00-10", false),
            ("2027-01-00", false),
            ("2027-1-01", false),
            ("2027/01/01", false),
        ];
        for (d, want) in cases {
            assert_eq!(super::valid_date(d), want, "{d}");
        }
    }
}
