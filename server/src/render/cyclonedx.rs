//! A CycloneDX 1.6 machine-learning bill of materials (`fineprint check --format
//! cyclonedx`).
//!
//! Invariants:
//! * One component of type `machine-learning-model` per distinct model (reference kind
//!   and canonical id, case-insensitive), with every occurrence as evidence; so the
//!   occurrences add up to the JSON report's `references`.
//! * A license is an SPDX id when the license has one, otherwise a named license with
//!   its URL; never empty. An unknown license gets no `licenses` entry (a placeholder
//!   name would be counted as a license by compliance tools) but the property
//!   `fineprint:license` = `unknown`.
//! * Every finding is a `fineprint:finding` property of its model (`SEVERITY CODE
//!   PATH:LINE:COLUMN`), and the summary counts are metadata properties, so errors
//!   agree with the JSON and SARIF outputs.
//! * The timestamp is the only time-dependent field: `SOURCE_DATE_EPOCH` (seconds) or
//!   `FINEPRINT_TODAY` (`YYYY-MM-DD`) fix it; the serial number is derived from the
//!   content and the timestamp, so a fixed timestamp makes the BOM reproducible.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use crate::check::{Found, Report};
use crate::findings::Severity;
use crate::kb::{KnowledgeBase, License};
use crate::model_file::Identity as FileIdentity;
use crate::policy::Policy;
use crate::resolve::{Provenance, RefKind};

use super::sarif::{INFORMATION_URI, relative_path};

/// Options of the CycloneDX format.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The folder checked (absolute), when there is one: the BOM's subject.
    pub root: Option<PathBuf>,
    /// `metadata.timestamp`, RFC 3339.
    pub timestamp: String,
}

impl Options {
    /// Options with the timestamp from `SOURCE_DATE_EPOCH`, else `FINEPRINT_TODAY`
    /// (midnight UTC), else the clock.
    pub fn from_env(root: Option<PathBuf>) -> Self {
        let epoch = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        let today = std::env::var("FINEPRINT_TODAY")
            .ok()
            .filter(|d| crate::kb::valid_date(d.trim()))
            .map(|d| format!("{}T00:00:00Z", d.trim()));
        let timestamp = match (epoch, today) {
            (Some(e), _) => rfc3339(e),
            (None, Some(t)) => t,
            (None, None) => rfc3339(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            ),
        };
        Self { root, timestamp }
    }
}

/// Seconds since 1970-01-01T00:00:00Z as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = crate::policy::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Percent-encodes one purl segment (RFC 3986 unreserved characters stay).
pub(super) fn purl_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Group, name, version and purl of a model.
pub(super) struct Identity {
    pub(super) group: Option<String>,
    pub(super) name: String,
    pub(super) version: Option<String>,
    pub(super) purl: String,
}

pub(super) fn identity(r: &Found, kb: &KnowledgeBase) -> Identity {
    let id = r.reference.id.as_str();
    match r.reference.kind {
        RefKind::Hf => {
            let (group, name) = match id.split_once('/') {
                Some((o, n)) => (Some(o.to_string()), n.to_string()),
                None => (None, id.to_string()),
            };
            let purl = match &group {
                Some(o) => format!(
                    "pkg:huggingface/{}/{}",
                    purl_segment(o),
                    purl_segment(&name)
                ),
                None => format!("pkg:huggingface/{}", purl_segment(&name)),
            };
            Identity {
                group,
                name,
                version: None,
                purl,
            }
        }
        RefKind::Ollama => {
            let (path, tag) = match id.rsplit_once(':') {
                Some((p, t)) if !t.is_empty() => (p, Some(t.to_string())),
                _ => (id, None),
            };
            let segments: Vec<String> = path.split('/').map(purl_segment).collect();
            let mut purl = format!("pkg:generic/ollama/{}", segments.join("/"));
            if let Some(t) = &tag {
                purl.push('@');
                purl.push_str(&purl_segment(t));
            }
            Identity {
                group: Some("ollama".into()),
                name: path.to_string(),
                version: tag,
                purl,
            }
        }
        RefKind::Api => {
            let vendor = r
                .reference
                .resolution
                .as_ref()
                .and_then(|res| res.family(kb))
                .map(|f| slug(&f.vendor))
                .filter(|v| !v.is_empty());
            let purl = match &vendor {
                Some(v) => format!("pkg:generic/{v}/{}", purl_segment(id)),
                None => format!("pkg:generic/{}", purl_segment(id)),
            };
            Identity {
                group: vendor,
                name: id.to_string(),
                version: None,
                purl,
            }
        }
        RefKind::Library if id.contains('/') => {
            let (group, name) = id.split_once('/').unwrap_or(("", id));
            Identity {
                group: Some(group.to_string()),
                name: name.to_string(),
                version: None,
                purl: format!(
                    "pkg:huggingface/{}/{}",
                    purl_segment(group),
                    purl_segment(name)
                ),
            }
        }
        RefKind::Gguf | RefKind::File | RefKind::Library => Identity {
            group: None,
            name: id.to_string(),
            version: None,
            purl: format!("pkg:generic/{}", purl_segment(id)),
        },
    }
}

pub(super) fn kind_str(k: RefKind) -> &'static str {
    match k {
        RefKind::Hf => "hf",
        RefKind::Ollama => "ollama",
        RefKind::Gguf => "gguf",
        RefKind::File => "file",
        RefKind::Api => "api",
        RefKind::Library => "library",
    }
}

fn prop(props: &mut Vec<Value>, name: &str, value: impl Into<String>) {
    props.push(json!({"name": name, "value": value.into()}));
}

/// The `licenses` entry of a license: its SPDX id, or its name and URL.
fn license_choice(lic: &License) -> Value {
    let mut l = Map::new();
    match lic.spdx.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(spdx) => {
            l.insert("id".into(), json!(spdx));
        }
        None => {
            l.insert("name".into(), json!(lic.name));
        }
    }
    l.insert("acknowledgement".into(), json!("concluded"));
    if !lic.url.trim().is_empty() {
        l.insert("url".into(), json!(lic.url.trim()));
    }
    l.insert(
        "properties".into(),
        json!([{"name": "fineprint:license-id", "value": lic.id}]),
    );
    json!([{"license": l}])
}

/// One model: its first reference and every occurrence.
pub(super) struct Model<'a> {
    pub(super) first: &'a Found,
    pub(super) occurrences: Vec<(&'a str, &'a Found)>,
    /// The weight files among its occurrences (path, identity or why none), in order.
    pub(super) files: Vec<(&'a str, &'a Result<FileIdentity, String>)>,
}

impl Model<'_> {
    /// The distinct header hashes of its weight files, in order of first appearance.
    pub(super) fn identities(&self) -> Vec<&FileIdentity> {
        let mut out: Vec<&FileIdentity> = Vec::new();
        for (_, r) in &self.files {
            if let Ok(i) = r
                && !out.iter().any(|o| o.sha256 == i.sha256)
            {
                out.push(i);
            }
        }
        out
    }
}

/// A component's values made at once, and its properties before the findings.
fn component(
    m: &Model<'_>,
    bom_ref: &str,
    ident: Identity,
    kb: &KnowledgeBase,
) -> (Map<String, Value>, Vec<Value>) {
    let r = m.first;
    let res = r.reference.resolution.as_ref();
    let mut c = Map::new();
    c.insert("type".into(), json!("machine-learning-model"));
    c.insert("bom-ref".into(), json!(bom_ref));
    let mut props = Vec::new();
    prop(
        &mut props,
        "fineprint:reference-kind",
        kind_str(r.reference.kind),
    );
    match res.and_then(|x| Some((x, x.family(kb)?))) {
        Some((res, fam)) => {
            let variant = res
                .at
                .and_then(|a| a.variant)
                .and_then(|v| fam.variant.get(v));
            let lic = res.license(kb);
            if res.provenance == Provenance::Rules {
                c.insert("manufacturer".into(), json!({"name": fam.vendor}));
            }
            if let Some(g) = &ident.group {
                c.insert("group".into(), json!(g));
            }
            c.insert("name".into(), json!(ident.name));
            if let Some(v) = &ident.version {
                c.insert("version".into(), json!(v));
            }
            let description = match res.provenance {
                Provenance::Rules => {
                    format!("{} ({}), under the {}.", fam.name, fam.vendor, lic.name)
                }
                _ => format!(
                    "Derived from or a re-upload of {} ({}), whose license it inherits: the {}.",
                    fam.name, fam.vendor, lic.name
                ),
            };
            c.insert("description".into(), json!(description));
            c.insert("licenses".into(), license_choice(lic));
            c.insert("purl".into(), json!(ident.purl));
            prop(&mut props, "fineprint:license", lic.id.as_str());
            prop(
                &mut props,
                "fineprint:license-osi-approved",
                lic.osi_approved.to_string(),
            );
            prop(&mut props, "fineprint:family", fam.id.as_str());
            prop(&mut props, "fineprint:family-name", fam.name.as_str());
            prop(&mut props, "fineprint:vendor", fam.vendor.as_str());
            if let Some(v) = variant {
                prop(&mut props, "fineprint:variant", v.name.as_str());
            }
            let openness = kb.openness(res.at, res.license);
            prop(
                &mut props,
                "fineprint:openness",
                serde_json::to_value(openness)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            );
            prop(&mut props, "fineprint:source", res.provenance.as_str());
            prop(&mut props, "fineprint:inferred-from", res.how.as_str());
            let data = variant
                .and_then(|v| v.training_data)
                .unwrap_or(fam.training_data);
            prop(&mut props, "fineprint:training-data", data.as_str());
            prop(
                &mut props,
                "fineprint:training-code",
                fam.training_code.as_str(),
            );
            if let Some(m) = &fam.modality {
                prop(&mut props, "fineprint:modality", m.as_str());
            }
            // The model card: what fineprint knows of the model itself.
            let mut card = Map::new();
            let mut card_props = Vec::new();
            prop(&mut card_props, "fineprint:training-data", data.as_str());
            if let Some(s) = &fam.training_data_source {
                prop(
                    &mut card_props,
                    "fineprint:training-data-source",
                    s.url.as_str(),
                );
            }
            prop(
                &mut card_props,
                "fineprint:training-code",
                fam.training_code.as_str(),
            );
            if let Some(m) = &fam.modality {
                prop(&mut card_props, "fineprint:modality", m.as_str());
            }
            prop(
                &mut card_props,
                "fineprint:license-summary",
                lic.summary.trim(),
            );
            card.insert("properties".into(), Value::Array(card_props));
            c.insert("modelCard".into(), Value::Object(card));
        }
        None => {
            if let Some(g) = &ident.group {
                c.insert("group".into(), json!(g));
            }
            c.insert("name".into(), json!(ident.name));
            if let Some(v) = &ident.version {
                c.insert("version".into(), json!(v));
            }
            c.insert("purl".into(), json!(ident.purl));
            match res {
                // Only a generated index or evidence on disk names the license.
                Some(res) => {
                    let lic = res.license(kb);
                    let description = match res.generated_entry(kb) {
                        Some(e) => format!(
                            "A model fineprint has no curated rule for, listed by the {} index ({}) under the {}.",
                            kb.generated.source_of(e).name,
                            kb.generated.source_of(e).package,
                            lic.name
                        ),
                        None => format!(
                            "A model fineprint has no rule for, declared on this machine to be under the {}.",
                            lic.name
                        ),
                    };
                    c.insert("description".into(), json!(description));
                    c.insert("licenses".into(), license_choice(lic));
                    prop(&mut props, "fineprint:license", lic.id.as_str());
                    prop(&mut props, "fineprint:source", res.provenance.as_str());
                    prop(&mut props, "fineprint:inferred-from", res.how.as_str());
                }
                None => {
                    c.insert(
                        "description".into(),
                        json!("A model fineprint has no rule for: its license is unknown."),
                    );
                    prop(&mut props, "fineprint:license", "unknown");
                }
            }
        }
    }
    // A weight file in the tree: the hash of its header (never of the tensors).
    let identities = m.identities();
    if !identities.is_empty() {
        c.insert(
            "hashes".into(),
            Value::Array(
                identities
                    .iter()
                    .map(|i| json!({"alg": "SHA-256", "content": i.sha256}))
                    .collect(),
            ),
        );
        let mut formats: Vec<_> = identities.iter().map(|i| i.format).collect();
        formats.dedup();
        for f in formats {
            prop(&mut props, "fineprint:hash-scope", f.hashed());
        }
    }
    for (path, identity) in &m.files {
        if let Err(e) = identity {
            prop(
                &mut props,
                "fineprint:model-file-unidentified",
                format!("{path}: {e}"),
            );
        }
    }
    if r.reference.kind == RefKind::Hf && res.is_some() && r.reference.id.contains('/') {
        c.insert(
            "externalReferences".into(),
            json!([{"type": "website", "url": format!("https://huggingface.co/{}", r.reference.id)}]),
        );
    }
    (c, props)
}

/// A sequence of known length whose items are made as they are serialized.
pub(super) struct Seq<F>(pub(super) usize, pub(super) F);

impl<F, I, T> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0))?;
        for item in (self.1)() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// One component: the part made at once (`base`, small: no occurrence in it), and
/// its occurrences and findings, made as they are serialized.
struct Component<'a> {
    model: &'a Model<'a>,
    base: Map<String, Value>,
    /// Its properties before the findings.
    props: Vec<Value>,
}

/// What a map holds beside its values made at once: parts made as they are serialized.
#[derive(Clone, Copy)]
enum Lazy<'a> {
    /// `evidence` of a component: `{"occurrences": [...]}`.
    Evidence(&'a Model<'a>),
    /// `properties` of a component: its properties, then one per finding.
    Properties(&'a Component<'a>),
    /// `components` of the BOM.
    Components(&'a [Component<'a>]),
}

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Lazy::Evidence(m) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(
                    "occurrences",
                    &Seq(m.occurrences.len(), || {
                        m.occurrences.iter().map(|(path, f)| {
                            json!({
                                "location": path,
                                "line": f.line,
                                "offset": f.column,
                                "symbol": f.reference.text,
                                "additionalContext": f.excerpt.trim(),
                            })
                        })
                    }),
                )?;
                map.end()
            }
            Lazy::Properties(c) => {
                let occurrences = &c.model.occurrences;
                let findings: usize = occurrences.iter().map(|(_, f)| f.diagnostics.len()).sum();
                Seq(c.props.len() + findings, || {
                    c.props
                        .iter()
                        .cloned()
                        .chain(occurrences.iter().flat_map(|(path, f)| {
                            f.diagnostics.iter().map(move |d| {
                                json!({
                                    "name": "fineprint:finding",
                                    "value": format!(
                                        "{} {} {path}:{}:{}",
                                        d.severity.as_str(),
                                        d.code.as_str(),
                                        f.line,
                                        f.column
                                    ),
                                })
                            })
                        }))
                })
                .serialize(s)
            }
            Lazy::Components(list) => s.collect_seq(list),
        }
    }
}

impl Serialize for Component<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        merged_map(
            s,
            &self.base,
            &[
                ("evidence", Lazy::Evidence(self.model)),
                ("properties", Lazy::Properties(self)),
            ],
        )
    }
}

/// Serializes the entries of `base` and of `lazy` (sorted by key) as one map, keys
/// in the order of a `serde_json` map (sorted), so that the bytes are those of the
/// whole tree of values.
fn merged_map<S: Serializer>(
    s: S,
    base: &Map<String, Value>,
    lazy: &[(&str, Lazy<'_>)],
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(base.len() + lazy.len()))?;
    let mut rest = lazy.iter().peekable();
    for (k, v) in base {
        while let Some((lk, lv)) = rest.next_if(|(lk, _)| *lk < k.as_str()) {
            map.serialize_entry(lk, lv)?;
        }
        map.serialize_entry(k, v)?;
    }
    for (lk, lv) in rest {
        map.serialize_entry(lk, lv)?;
    }
    map.end()
}

/// A BOM: its values made at once, and its components.
struct Bom<'a> {
    base: Map<String, Value>,
    components: &'a [Component<'a>],
}

impl Serialize for Bom<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        merged_map(
            s,
            &self.base,
            &[("components", Lazy::Components(self.components))],
        )
    }
}

/// A writer that computes the two FNV-1a hashes of the serial number over what is
/// written ([`super::sarif::fnv1a`] of `[body]` and of `[body, "serial"]`), without keeping it.
pub(super) struct Fnv(u64);

impl Fnv {
    pub(super) fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.add(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The distinct models of a report (reference kind and canonical id, case-insensitive)
/// in order of first appearance, each with every occurrence; `rel` is each file's path
/// as the report shows it.
pub(super) fn models<'a>(report: &'a Report, rel: &'a [String]) -> Vec<Model<'a>> {
    let mut index: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut models: Vec<Model<'a>> = Vec::new();
    for (f, rel) in report.files.iter().zip(rel) {
        for r in &f.found {
            let key = (kind_str(r.reference.kind), r.reference.id.to_lowercase());
            let i = *index.entry(key).or_insert_with(|| {
                models.push(Model {
                    first: r,
                    occurrences: Vec::new(),
                    files: Vec::new(),
                });
                models.len() - 1
            });
            let m = &mut models[i];
            m.occurrences.push((rel.as_str(), r));
            if let Some(identity) = &f.identity {
                m.files.push((rel.as_str(), identity));
            }
        }
    }
    models
}

/// A UUID (RFC 9562 version 8) from the FNV-1a hashes of what `hash` has seen: of
/// `[body]` and of `[body, "serial"]`.
pub(super) fn content_uuid(hash: &Fnv) -> String {
    let mut hash = Fnv(hash.0);
    hash.add(&[0]);
    let a = hash.0;
    hash.add(b"serial\0");
    let b = hash.0;
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-8{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        0x8 | (u8::from_str_radix(&hex[16..17], 16).unwrap_or(0) & 0x3),
        &hex[17..20],
        &hex[20..32]
    )
}

/// Each file's path relative to the document's subject (the folder checked), in the
/// order of the report's files (CycloneDX and SPDX).
pub(super) fn relative_paths(report: &Report, root: Option<&Path>) -> Vec<String> {
    report
        .files
        .iter()
        .map(|f| relative_path(root, Path::new(&f.path)))
        .collect()
}

/// Renders the report as a CycloneDX 1.6 JSON BOM (pretty-printed).
pub fn render(report: &Report, kb: &KnowledgeBase, policy: &Policy, opts: &Options) -> String {
    super::to_string(|out| render_to(out, report, kb, policy, opts))
}

/// [`render`], written to `out` as it is made. The serial number hashes the whole BOM,
/// so it is serialized twice: compact into the hash, then pretty into `out`; neither
/// is held (a component holds what it says once, not its occurrences).
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: &Options,
) -> io::Result<()> {
    let root = opts.root.as_deref();
    let rel = relative_paths(report, root);
    let models = models(report, &rel);
    let mut components = Vec::new();
    let mut refs: Vec<String> = Vec::new();
    for m in &models {
        let ident = identity(m.first, kb);
        let mut bom_ref = ident.purl.clone();
        let mut n = 1;
        while refs.contains(&bom_ref) || bom_ref == "project" {
            n += 1;
            bom_ref = format!("{}#{n}", ident.purl);
        }
        let (base, props) = component(m, &bom_ref, ident, kb);
        components.push(Component {
            model: m,
            base,
            props,
        });
        refs.push(bom_ref);
    }

    let version = env!("CARGO_PKG_VERSION");
    let mut meta_props = Vec::new();
    prop(
        &mut meta_props,
        "fineprint:policy:use",
        policy.use_case.as_str(),
    );
    if let Some(file) = &policy.file {
        prop(
            &mut meta_props,
            "fineprint:policy:file",
            relative_path(root, file),
        );
    }
    let unknown = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .filter(|r| r.reference.resolution.is_none())
        .count();
    for (name, n) in [
        ("files", report.files.len()),
        ("references", report.references()),
        ("models", components.len()),
        ("errors", report.count(Severity::Error)),
        ("warnings", report.count(Severity::Warning)),
        ("information", report.count(Severity::Information)),
        ("hints", report.count(Severity::Hint)),
        ("unknown", unknown),
        ("skipped", report.skipped.len()),
    ] {
        prop(
            &mut meta_props,
            &format!("fineprint:summary:{name}"),
            n.to_string(),
        );
    }
    for p in &report.policy_findings {
        prop(
            &mut meta_props,
            "fineprint:policy-finding",
            format!(
                "{} {} {}:{}",
                p.severity.as_str(),
                p.code.as_str(),
                relative_path(root, Path::new(&p.path)),
                p.line
            ),
        );
    }
    for s in &report.skipped {
        prop(
            &mut meta_props,
            "fineprint:skipped",
            format!("{}: {}", s.path, s.reason),
        );
    }
    let mut metadata = json!({
        "timestamp": opts.timestamp,
        "lifecycles": [{"phase": "pre-build"}],
        "tools": {"components": [{
            "type": "application",
            "name": "fineprint",
            "version": version,
            "externalReferences": [{"type": "website", "url": INFORMATION_URI}],
        }]},
        "properties": meta_props,
    });
    let subject = root
        .and_then(|r| r.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    if let Some(name) = &subject {
        metadata["component"] = json!({"type": "application", "bom-ref": "project", "name": name});
    }
    let mut bom = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
    });
    if subject.is_some() {
        bom["dependencies"] = json!([{"ref": "project", "dependsOn": refs}]);
    }
    let Value::Object(base) = bom else {
        return Err(io::Error::other("the BOM is not an object"));
    };
    let mut bom = Bom {
        base,
        components: &components,
    };
    // Serial number: derived from the content and the timestamp (RFC 9562 version 8).
    let mut hash = Fnv::new();
    serde_json::to_writer(&mut hash, &bom).map_err(io::Error::from)?;
    let serial = format!("urn:uuid:{}", content_uuid(&hash));
    bom.base.insert("serialNumber".into(), json!(serial));
    serde_json::to_writer_pretty(out, &bom).map_err(io::Error::from)
}
