//! Turning the Hub's answers into resolutions, with `base_model` lineage.
//!
//! The Hub's answer is weighed like a model card on disk
//! ([`crate::evidence::weigh`]): a base model the rules know passes its license on
//! (a fine-tune never reads more permissive than a restricted base: the declared
//! license is then a `license-mismatch`), a declared license the rules know (by id
//! or alias, `rules/licenses/`) applies with the rules' facets, and `other` or an
//! unknown `license_name` leaves the license unknown, reported as declared, with its
//! link. A base model the rules do not know is looked up on the Hub too, up to
//! [`super::Settings::lineage_depth`] steps and never twice through one id.

use std::collections::HashSet;

use super::Online;
use super::hub::{HubRecord, Status};
use crate::evidence::EvidenceSource;
use crate::evidence::weigh::{Raw, weigh_with};
use crate::kb::KnowledgeBase;
use crate::resolve::{RefKind, Reference, Resolution, resolve_str};

/// What the record declares, as `weigh` reads it: the license id, or for `other`
/// the `license_name`; of several ids, the first the rules know on the strictest
/// rung, else the first.
fn declared(kb: &KnowledgeBase, rec: &HubRecord) -> Option<String> {
    let known = rec
        .license
        .iter()
        .filter(|l| !matches!(l.to_ascii_lowercase().as_str(), "other" | "unknown"))
        .filter_map(|l| kb.license(l).map(|lic| (l, crate::kb::rung(lic))))
        .max_by_key(|(_, r)| *r)
        .map(|(l, _)| l.clone());
    known.or_else(|| match rec.license.first().map(String::as_str) {
        Some("other") | None => rec.license_name.clone().or(rec.license.first().cloned()),
        Some(l) => Some(l.to_string()),
    })
}

/// The link to show: `license_link` made absolute (a file in the repository is
/// linked on the endpoint's model page).
fn link(online: &Online, rec: &HubRecord) -> Option<String> {
    let l = rec.license_link.as_deref()?;
    if l.contains("://") {
        return Some(l.to_string());
    }
    let id = rec.canonical_id.as_deref().unwrap_or(&rec.id);
    Some(format!(
        "{}/{id}/blob/main/{}",
        online.settings().endpoint,
        l.trim_start_matches("./")
    ))
}

/// How the answer is described: its URL and fetch date.
fn source_note(rec: &HubRecord) -> String {
    format!(
        "{}, fetched {}",
        rec.url,
        super::format_time(rec.fetched_at)
    )
}

/// Weighs the Hub's record for `r` (whose current resolution, if any, is what the
/// rules said), following unknown base models on the Hub.
fn weigh_record(
    kb: &KnowledgeBase,
    online: &Online,
    r: &mut Reference,
    rec: &HubRecord,
    depth: usize,
    seen: &mut HashSet<String>,
) {
    let note = source_note(rec);
    let (raw, base) = match rec.status {
        Status::Found => {
            let resolves = |b: &String| resolve_str(kb, b).and_then(|x| x.resolution).is_some();
            // A base the rules do not know: ask the Hub about it too.
            let base = if rec.base_model.iter().any(resolves) {
                None
            } else {
                rec.base_model.iter().find_map(|b| {
                    let res = resolve_online(kb, online, b, depth + 1, seen)?;
                    Some((b.clone(), res))
                })
            };
            let raw = Raw {
                path: rec.url.clone(),
                revision: rec.sha.clone(),
                declared: declared(kb, rec),
                link: link(online, rec),
                base_models: rec.base_model.clone(),
                ..Raw::default()
            };
            (raw, base)
        }
        Status::NotFound | Status::NoAccess => {
            let problem = if rec.status == Status::NotFound {
                "no such repository on the Hub (404)".to_string()
            } else {
                "the Hub refused access (401/403): private, or gated and needs HF_TOKEN".to_string()
            };
            let raw = Raw {
                path: rec.url.clone(),
                problem: Some(problem),
                ..Raw::default()
            };
            (raw, None)
        }
    };
    weigh_with(kb, r, EvidenceSource::Hub, raw, base);
    if let Some(e) = r.evidence.as_mut() {
        e.fetched = Some(super::format_time(rec.fetched_at));
        e.gated = rec.gated.clone();
        let gated = rec.gated.as_deref().map_or(String::new(), |g| {
            let how = match g {
                "auto" => " (approved automatically)",
                "manual" => " (approved by the authors)",
                _ => "",
            };
            format!("; the repository is gated: its files need an accepted access request{how}")
        });
        e.verdict = format!("{} (source: {note}{gated})", e.verdict);
    }
    if let Some(res) = r.resolution.take() {
        let mut res = std::sync::Arc::unwrap_or_clone(res);
        if res.provenance == crate::resolve::Provenance::Hub {
            res.how = format!("{} ({note})", res.how);
        }
        r.resolution = Resolution::share(Some(res));
    }
}

/// The resolution of `id` by the rules, else by the Hub (with lineage).
fn resolve_online(
    kb: &KnowledgeBase,
    online: &Online,
    id: &str,
    depth: usize,
    seen: &mut HashSet<String>,
) -> Option<Resolution> {
    if let Some(res) = resolve_str(kb, id).and_then(|x| x.resolution) {
        return Some(std::sync::Arc::unwrap_or_clone(res));
    }
    if depth > online.settings().lineage_depth || !seen.insert(id.to_ascii_lowercase()) {
        return None;
    }
    let rec = online.record(id)?;
    let mut r = Reference {
        span: 0..0,
        text: id.to_string(),
        kind: RefKind::Hf,
        id: id.to_string(),
        resolution: None,
        evidence: None,
    };
    weigh_record(kb, online, &mut r, &rec, depth, seen);
    r.resolution.map(std::sync::Arc::unwrap_or_clone)
}

/// Resolves, through the Hub, every Hugging Face reference the rules and the disk
/// left unknown.
pub fn attach(refs: &mut [Reference], kb: &KnowledgeBase, online: &Online) {
    for r in refs.iter_mut() {
        if r.kind != RefKind::Hf || r.resolution.is_some() || !super::hub::valid_id(&r.id) {
            continue;
        }
        let Some(rec) = online.record(&r.id) else {
            continue;
        };
        let mut seen = HashSet::from([r.id.to_ascii_lowercase()]);
        weigh_record(kb, online, r, &rec, 0, &mut seen);
    }
}

/// Every Hub id among `refs` that online resolution would ask about.
pub fn wanted<'a>(refs: impl IntoIterator<Item = &'a Reference>) -> Vec<String> {
    let mut ids: Vec<String> = refs
        .into_iter()
        .filter(|r| r.kind == RefKind::Hf && r.resolution.is_none() && super::hub::valid_id(&r.id))
        .map(|r| r.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
