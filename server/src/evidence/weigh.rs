//! Weighing evidence on disk against the rules.
//!
//! The order of trust, strongest first:
//! 1. A base model named on disk (`base_model` of a card, `general.base_model.*` of a
//!    GGUF header): derivatives inherit the base's license, because the licenses in
//!    the base pass their terms on. A declared license more permissive than the
//!    base's is a `license-mismatch`, and the base's license applies.
//! 2. A declared license that the rules record as this repository's earlier license
//!    ([`crate::kb::History`]): the snapshot on disk is that earlier revision, so its
//!    license applies.
//! 3. The rules, for a vendor's own repository or library tag. A declared license on
//!    a different rung of the openness ladder is an `evidence-conflict`, and the
//!    stricter of the two applies until a rule or an exception settles it.
//! 4. A license inferred from a name (a re-upload, a conversion): a declared license
//!    stricter than it applies; a more permissive one is a `license-mismatch`.
//! 5. Nothing in the rules: a declared license fineprint knows applies as declared.
//!
//! Rungs: permissive < restricted (conditions, bans, duties) < non-commercial.

use std::path::PathBuf;

use super::{Conflict, Evidence, EvidenceSource, Place, Store, license_text, within};
use crate::detect::FileKind;
use crate::kb::KnowledgeBase;
use crate::resolve::{Provenance, RefKind, Reference, Resolution, resolve_str};

/// What a source says, before weighing.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    /// The file read.
    pub path: String,
    /// Snapshot or digest.
    pub revision: Option<String>,
    /// Declared license id, as written.
    pub declared: Option<String>,
    /// License link.
    pub link: Option<String>,
    /// Base models named.
    pub base_models: Vec<String>,
    /// The model's own name in the file (GGUF `general.name`), a last resort.
    pub own_name: Option<String>,
    /// A reading problem.
    pub problem: Option<String>,
}

pub use crate::kb::rung;

fn provenance(source: EvidenceSource) -> Provenance {
    match source {
        EvidenceSource::HfCache => Provenance::HfCache,
        EvidenceSource::Gguf => Provenance::Gguf,
        EvidenceSource::Ollama | EvidenceSource::Modelfile => Provenance::Ollama,
        EvidenceSource::Hub => Provenance::Hub,
    }
}

/// A base model id resolved through the rules (spaces in GGUF names become `-`); a
/// bare name is matched like the name of a derivative.
fn resolve_base(kb: &KnowledgeBase, id: &str) -> Option<Resolution> {
    let id = id.trim().replace(' ', "-");
    resolve_str(kb, &id)
        .and_then(|r| r.resolution)
        .map(std::sync::Arc::unwrap_or_clone)
        .or_else(|| crate::resolve::resolve_file(kb, &format!("{id}.gguf")))
}

/// Weighs `raw` against the reference's current resolution and records the outcome.
pub fn weigh(kb: &KnowledgeBase, r: &mut Reference, source: EvidenceSource, raw: Raw) {
    weigh_with(kb, r, source, raw, None);
}

/// [`weigh`], with the resolution of a base model the rules do not know but another
/// source resolved (the Hub's answer for the base, in online resolution): used when
/// no base model named in `raw` resolves through the rules.
pub fn weigh_with(
    kb: &KnowledgeBase,
    r: &mut Reference,
    source: EvidenceSource,
    raw: Raw,
    resolved_base: Option<(String, Resolution)>,
) {
    let declared_license = raw
        .declared
        .as_deref()
        .filter(|d| !matches!(*d, "other" | "unknown" | ""))
        .and_then(|d| kb.license_index(d));
    let base = raw
        .base_models
        .iter()
        .find_map(|b| resolve_base(kb, b).map(|res| (b.clone(), res, false)))
        .or_else(|| {
            // The model's own name in a GGUF header: a weaker sign, worded as such.
            let name = raw.own_name.as_deref()?;
            resolve_base(kb, name).map(|res| (name.to_string(), res, true))
        })
        .or_else(|| resolved_base.map(|(b, res)| (b, res, false)));
    let from = source.describe();
    let decl_txt = raw.declared.clone().unwrap_or_default();
    let mut conflict = None;
    let rules = r.resolution.take().map(std::sync::Arc::unwrap_or_clone);
    let name_of = |i: usize| kb.license_at(i).name.clone();

    let (resolution, verdict) = if let Some((base_id, base_res, own)) = base {
        // 1. Lineage.
        let base_lic = base_res.license;
        let fam = base_res
            .family(kb)
            .map_or(String::new(), |f| format!(" ({})", f.name));
        let (names, derives) = if own {
            ("names the model", "the header names the model")
        } else {
            ("names the base model", "the model derives from")
        };
        let how = if own {
            format!("{from} names the model `{base_id}`{fam}")
        } else {
            format!("{from} names the base model `{base_id}`{fam}; derivatives inherit its license")
        };
        let mut res = Resolution {
            provenance: provenance(source),
            how: how.clone(),
            ..base_res
        };
        let verdict = match declared_license {
            Some(d) if rung(kb.license_at(d)) < rung(kb.license_at(base_lic)) => {
                conflict = Some(Conflict::MorePermissiveThanBase);
                format!(
                    "{from} declares `{decl_txt}`, but {derives} `{base_id}`{fam}, whose license passes its terms on to derivatives: fineprint applies the {}.",
                    name_of(base_lic)
                )
            }
            Some(d) if rung(kb.license_at(d)) > rung(kb.license_at(base_lic)) => {
                res.license = d;
                res.how =
                    format!("{from} declares `{decl_txt}`, stricter than its base `{base_id}`");
                format!(
                    "{from} declares `{decl_txt}`, stricter than the {} of its base `{base_id}`: fineprint applies the declared {}.",
                    name_of(base_lic),
                    name_of(d)
                )
            }
            _ => format!(
                "{from} {names} `{base_id}`{fam}: fineprint applies its license, the {}.",
                name_of(base_lic)
            ),
        };
        (Some(res), verdict)
    } else {
        match (rules, declared_license) {
            (Some(rules), Some(d)) if d == rules.license => {
                let v = format!("{from} declares `{decl_txt}`, as the rules say.");
                (Some(rules), v)
            }
            (Some(rules), Some(d)) => {
                let history = rules.at.and_then(|a| {
                    let fam = kb.families.get(a.family)?;
                    let h = a
                        .variant
                        .and_then(|v| fam.variant.get(v))
                        .map_or(&fam.history, |v| &v.history);
                    h.iter().find(|h| kb.license_index(&h.license) == Some(d))
                });
                if let Some(h) = history {
                    // 2. An earlier revision of the same repository.
                    let rev = raw.revision.as_deref().map_or(String::new(), |v| {
                        format!(" (`{}`)", crate::card::short_rev(v))
                    });
                    let v = format!(
                        "{from} declares `{decl_txt}`, the license this repository had before {}: the revision you have{rev} is under the {}, not the current {}.",
                        h.until,
                        name_of(d),
                        name_of(rules.license)
                    );
                    let res = Resolution {
                        license: d,
                        provenance: provenance(source),
                        how: format!(
                            "{from} shows an earlier revision, published under `{decl_txt}`"
                        ),
                        ..rules
                    };
                    (Some(res), v)
                } else if rules.provenance == Provenance::Rules {
                    // 3. The rules name this very repository.
                    let (dr, rr) = (rung(kb.license_at(d)), rung(kb.license_at(rules.license)));
                    let checked = rules
                        .family(kb)
                        .map_or(String::new(), |f| format!(", checked {}", f.source.checked));
                    if dr > rr {
                        let v = format!(
                            "{from} declares `{decl_txt}` where the rules say the {}{checked}: fineprint applies the stricter, the {}, until a rule or a policy exception settles it.",
                            name_of(rules.license),
                            name_of(d)
                        );
                        conflict = Some(Conflict::DisagreesWithRules);
                        let res = Resolution {
                            license: d,
                            provenance: provenance(source),
                            how: format!("{from} declares `{decl_txt}`, stricter than the rules"),
                            ..rules
                        };
                        (Some(res), v)
                    } else {
                        let v = format!(
                            "{from} declares `{decl_txt}` where the rules say the {}{checked}: fineprint keeps the {}, the stricter of the two (or the one it has checked), until a rule or a policy exception settles it.",
                            name_of(rules.license),
                            name_of(rules.license)
                        );
                        conflict = Some(Conflict::DisagreesWithRules);
                        (Some(rules), v)
                    }
                } else {
                    // 4. A license inferred from a name.
                    let (dr, rr) = (rung(kb.license_at(d)), rung(kb.license_at(rules.license)));
                    if dr < rr {
                        conflict = Some(Conflict::MorePermissiveThanBase);
                        let fam = rules.family(kb).map_or(String::new(), |f| f.name.clone());
                        let v = format!(
                            "{from} declares `{decl_txt}`, but the name shows a derivative of {fam}, whose license passes its terms on: fineprint applies the {}.",
                            name_of(rules.license)
                        );
                        (Some(rules), v)
                    } else if dr > rr {
                        let v = format!(
                            "{from} declares `{decl_txt}`, stricter than the {} its name suggests: fineprint applies the declared {}.",
                            name_of(rules.license),
                            name_of(d)
                        );
                        let res = Resolution {
                            license: d,
                            provenance: provenance(source),
                            how: format!("{from} declares `{decl_txt}`"),
                            ..rules
                        };
                        (Some(res), v)
                    } else {
                        let v = format!(
                            "{from} declares `{decl_txt}`; the name suggests the {}, on the same rung: fineprint keeps the inherited license.",
                            name_of(rules.license)
                        );
                        (Some(rules), v)
                    }
                }
            }
            (None, Some(d)) => {
                // 5. Only the disk knows.
                let v = format!(
                    "{from} declares `{decl_txt}` and names no base model; fineprint has no rule for this model and applies the declared {}.",
                    name_of(d)
                );
                let res = Resolution {
                    at: None,
                    license: d,
                    provenance: provenance(source),
                    pattern: decl_txt.clone(),
                    how: format!("{from} declares `{decl_txt}`"),
                    origin: None,
                };
                (Some(res), v)
            }
            (rules, None) => {
                let v = match (&raw.declared, &rules) {
                    (Some(d), Some(res)) if !matches!(d.as_str(), "other" | "unknown" | "") => {
                        format!(
                            "{from} declares `{d}`, a license fineprint does not know: the rules' {} stands.",
                            name_of(res.license)
                        )
                    }
                    (Some(d), None) if !matches!(d.as_str(), "other" | "unknown" | "") => {
                        format!("{from} declares `{d}`, a license fineprint does not know.")
                    }
                    (_, Some(res)) => format!(
                        "{from} declares no license fineprint can read: the rules' {} stands.",
                        name_of(res.license)
                    ),
                    (_, None) => format!("{from} declares no license fineprint can read."),
                };
                (rules, v)
            }
        }
    };
    let verdict = match &raw.problem {
        Some(p) if raw.declared.is_none() && raw.base_models.is_empty() => {
            format!("{from} could not be read ({p}).")
        }
        _ => verdict,
    };
    r.resolution = Resolution::share(resolution);
    r.evidence = Some(Box::new(Evidence {
        source,
        path: raw.path,
        revision: raw.revision,
        declared: raw.declared,
        declared_license,
        link: raw.link,
        base_models: raw.base_models,
        problem: raw.problem,
        verdict,
        conflict,
        fetched: None,
        gated: None,
    }));
}

fn gguf_raw(meta: &super::gguf::GgufMeta, path: String) -> Raw {
    let declared = meta
        .get("general.license")
        .filter(|l| !matches!(l.to_ascii_lowercase().as_str(), "other" | ""))
        .or_else(|| meta.get("general.license.name"))
        .map(|s| s.to_ascii_lowercase());
    Raw {
        path,
        declared,
        link: meta.get("general.license.link").map(str::to_string),
        base_models: meta.base_models(),
        own_name: meta
            .get("general.basename")
            .or_else(|| meta.get("general.name"))
            .map(str::to_string),
        ..Raw::default()
    }
}

/// The path written around a file-name reference (`models/x.gguf` for `x.gguf`).
fn written_path<'t>(text: &'t str, r: &Reference) -> &'t str {
    let b = text.as_bytes();
    let mut s = r.span.start.min(b.len());
    while s > 0
        && (b[s - 1].is_ascii_alphanumeric()
            || matches!(b[s - 1], b'/' | b'.' | b'-' | b'_' | b'+'))
    {
        s -= 1;
    }
    text.get(s..r.span.end).unwrap_or("")
}

/// Weighs the header of the GGUF file at `path` for `r`.
fn weigh_gguf(kb: &KnowledgeBase, r: &mut Reference, store: &Store, path: &std::path::Path) {
    let shown = path.display().to_string();
    let raw = match store.gguf(path).as_ref() {
        Ok(meta) => gguf_raw(meta, shown),
        Err(e) => Raw {
            path: shown,
            problem: Some(e.clone()),
            ..Raw::default()
        },
    };
    weigh(kb, r, EvidenceSource::Gguf, raw);
}

/// A GGUF file met by the walk: a reference to the file itself (an empty span at its
/// start), resolved by its name and weighed against its header when the file's real
/// path lies inside `root`.
pub fn gguf_file(
    kb: &KnowledgeBase,
    store: &Store,
    path: &std::path::Path,
    root: &std::path::Path,
) -> Reference {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut r = Reference {
        span: 0..0,
        text: name.clone(),
        kind: RefKind::Gguf,
        resolution: Resolution::share(crate::resolve::resolve_file(kb, &name)),
        id: name,
        evidence: None,
    };
    match within(root, path) {
        Ok(_) => weigh_gguf(kb, &mut r, store, path),
        Err(e) => weigh(
            kb,
            &mut r,
            EvidenceSource::Gguf,
            Raw {
                path: path.display().to_string(),
                problem: Some(e),
                ..Raw::default()
            },
        ),
    }
    r
}

/// Where a GGUF file named by a reference is, if it exists inside the place's root.
fn find_gguf(text: &str, r: &Reference, place: &Place) -> Option<(PathBuf, PathBuf)> {
    let written = written_path(text, r);
    if written.contains("://") {
        return None;
    }
    let roots: Vec<&PathBuf> = place.root.iter().chain(place.dir.iter()).collect();
    let mut tries = Vec::new();
    for base in place.dir.iter().chain(place.root.iter()) {
        tries.push(base.join(written));
        tries.push(base.join(&r.id));
    }
    tries.into_iter().find_map(|p| {
        if !p.is_file() {
            return None;
        }
        let root = roots.iter().find(|root| within(root, &p).is_ok())?;
        Some((p, (*root).clone()))
    })
}

/// The text of a Modelfile's `LICENSE` instruction (`LICENSE """..."""` or one line).
pub fn modelfile_license(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find(['L', 'l']) {
        let here = &rest[at..];
        let line_start = at == 0 || rest.as_bytes().get(at - 1) == Some(&b'\n');
        if line_start && here.len() >= 7 && here[..7].eq_ignore_ascii_case("license") {
            let after = here[7..].trim_start_matches([' ', '\t']);
            if let Some(body) = after.strip_prefix("\"\"\"") {
                let end = body.find("\"\"\"").unwrap_or(body.len());
                return Some(body[..end].to_string());
            }
            let line = after.lines().next().unwrap_or("");
            return Some(line.trim().trim_matches('"').to_string());
        }
        rest = &rest[at + 1..];
    }
    None
}

/// Looks up and weighs evidence for each reference of a text.
pub fn attach(
    refs: &mut [Reference],
    text: &str,
    kind: FileKind,
    kb: &KnowledgeBase,
    store: &Store,
    place: &Place,
) {
    for r in refs.iter_mut() {
        match r.kind {
            RefKind::Hf if r.id.contains('/') => {
                let card = store.card(&r.id);
                match card.as_ref() {
                    Ok(Some(c)) => {
                        let raw = match &c.meta {
                            Some(m) => Raw {
                                path: c.path.display().to_string(),
                                revision: Some(c.revision.clone()),
                                declared: match m.license.as_deref() {
                                    Some("other") | None => {
                                        m.license_name.clone().or(m.license.clone())
                                    }
                                    Some(l) => Some(l.to_string()),
                                },
                                link: m.license_link.clone(),
                                base_models: m.base_model.clone(),
                                ..Raw::default()
                            },
                            None => Raw {
                                path: c.path.display().to_string(),
                                revision: Some(c.revision.clone()),
                                problem: Some("the card has no YAML front matter".into()),
                                ..Raw::default()
                            },
                        };
                        weigh(kb, r, EvidenceSource::HfCache, raw);
                    }
                    Ok(None) => {}
                    Err(e) => weigh(
                        kb,
                        r,
                        EvidenceSource::HfCache,
                        Raw {
                            path: r.id.clone(),
                            problem: Some(e.clone()),
                            ..Raw::default()
                        },
                    ),
                }
            }
            RefKind::Gguf => {
                if let Some((path, _)) = find_gguf(text, r, place) {
                    weigh_gguf(kb, r, store, &path);
                }
            }
            RefKind::Ollama => {
                if let Some(m) = store.ollama(&r.id).as_ref() {
                    let recognised = m
                        .licenses
                        .iter()
                        .find_map(|t| license_text::identify(kb, t));
                    let mut raw = m
                        .gguf
                        .as_ref()
                        .map(|g| gguf_raw(g, String::new()))
                        .unwrap_or_default();
                    raw.path = m.manifest.display().to_string();
                    raw.revision = m.digest.clone();
                    raw.own_name = None;
                    raw.problem = m.problem.clone();
                    if let Some(i) = recognised {
                        raw.declared = Some(kb.license_at(i).id.clone());
                    } else if !m.licenses.is_empty() && raw.declared.is_none() {
                        raw.declared = Some("unrecognised license text".into());
                    }
                    weigh(kb, r, EvidenceSource::Ollama, raw);
                }
            }
            _ => {}
        }
    }
    if kind == FileKind::Modelfile {
        weigh_modelfile(refs, text, kb);
    }
    // What the disk left unknown, the Hub may know (only when online resolution is on).
    if let Some(online) = &store.online {
        crate::online::resolve::attach(refs, kb, online);
    }
}

/// A Modelfile's own `LICENSE` against the model of its `FROM`.
fn weigh_modelfile(refs: &mut [Reference], text: &str, kb: &KnowledgeBase) {
    let Some(license) = modelfile_license(text) else {
        return;
    };
    let Some(declared) = license_text::identify(kb, &license) else {
        return;
    };
    for r in refs.iter_mut() {
        let line_start = text[..r.span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = text.get(line_start..r.span.start).unwrap_or("");
        if !line.trim_start().to_ascii_uppercase().starts_with("FROM") {
            continue;
        }
        let Some(res) = &r.resolution else { continue };
        let (dr, rr) = (
            rung(kb.license_at(declared)),
            rung(kb.license_at(res.license)),
        );
        if dr >= rr {
            continue;
        }
        let verdict = format!(
            "the Modelfile's LICENSE is the {}, more permissive than the {} of the model in its FROM: the FROM model's license applies to what this Modelfile builds.",
            kb.license_at(declared).name,
            kb.license_at(res.license).name
        );
        r.evidence = Some(Box::new(Evidence {
            source: EvidenceSource::Modelfile,
            path: String::new(),
            revision: None,
            declared: Some(kb.license_at(declared).id.clone()),
            declared_license: Some(declared),
            link: None,
            base_models: Vec::new(),
            problem: None,
            verdict,
            conflict: Some(Conflict::MorePermissiveThanBase),
            fetched: None,
            gated: None,
        }));
    }
}
