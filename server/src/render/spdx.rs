//! An SPDX 3.0.1 document with the AI profile (`fineprint check --format spdx`), in
//! the JSON-LD serialization (one `@graph` of elements, terms of the SPDX 3.0.1
//! context `https://spdx.org/rdf/3.0.1/spdx-context.jsonld`).
//!
//! What it holds, with the sections of the SPDX 3.0.1 model it follows:
//! * `CreationInfo` (Core), shared by every element: `specVersion` 3.0.1, `created`
//!   (the same timestamp as the CycloneDX BOM: `SOURCE_DATE_EPOCH` or
//!   `FINEPRINT_TODAY` fix it), `createdBy` a `SoftwareAgent` and `createdUsing` a
//!   `Tool`, both fineprint.
//! * `SpdxDocument` (Core) whose root is a `software_Sbom` (Software, `sbomType`
//!   `analyzed`) whose root is the project: a `software_Package` named after the folder
//!   checked. `profileConformance`: core, software, simpleLicensing, expandedLicensing, ai.
//! * One `ai_AIPackage` (AI profile: "AIPackage", a subclass of Software/Package) per
//!   distinct model, as the CycloneDX BOM has one component: `name`,
//!   `software_packageUrl` (the same purl), `software_downloadLocation` (the Hugging
//!   Face page of a Hub id, the Ollama library page of an Ollama name),
//!   `software_packageVersion` (an Ollama tag), `suppliedBy` an `Organization` (the
//!   vendor a curated rule names, else the owner of a Hub id), `software_primaryPurpose`
//!   `model`, `ai_informationAboutTraining`,
//!   and `verifiedUsing` a `Hash` (Core, algorithm `sha256`) of a weight file's header
//!   ([`crate::model_file`]; its `comment` says the hash covers the header only).
//! * Licenses (Licensing, the AI profile's conformance clause): every `ai_AIPackage`
//!   has exactly one `hasDeclaredLicense` and one `hasConcludedLicense` relationship
//!   (Core/RelationshipType). Their target is a `simplelicensing_LicenseExpression`
//!   (SimpleLicensing): the SPDX id when the license is on the SPDX License List;
//!   otherwise a user-defined `LicenseRef-fineprint-ID` (Annex "SPDX license
//!   expressions": `LicenseRef-` idstring) whose `simplelicensing_customIdToUri` maps it
//!   to an `expandedlicensing_CustomLicense` (ExpandedLicensing: a license not on the
//!   list, defined by the document's creator) with the license's name, its URL in
//!   `expandedlicensing_seeAlso` and `isOsiApproved`. fineprint does not ship license
//!   texts: the required `simplelicensing_licenseText` says so and points at the URL,
//!   with fineprint's summary. A model whose license is unknown points at the
//!   individual `expandedlicensing_NoAssertionLicense`.
//! * Locations in the project: one `software_File` per file with references (the
//!   project `contains` them), one `software_Snippet` per occurrence
//!   (`snippetFromFile`, `lineRange`; its `comment` lists the findings there), and a
//!   `hasEvidence` relationship from each model to its snippets. The project
//!   `dependsOn` every model.
//!
//! * Not invented: AIPackage's "External properties restrictions" (AI/Classes/AIPackage)
//!   ask for `releaseTime`, `suppliedBy`, `downloadLocation` and `packageVersion` on
//!   every AI package. fineprint writes each when it knows it and leaves it out
//!   otherwise (it never knows a release time; an API model has no download location):
//!   SPDX 3.0.1 has no "no assertion" value for a date or a URI, and a made-up one
//!   would be false. SPDX's 3.0.1 bindings, which validate the document, do not enforce
//!   these restrictions either (docs/output.md).
//!
//! Invariants: the same models, occurrences and licenses as the CycloneDX BOM; the
//! identifiers are IRIs under `urn:uuid:UUID`, where the UUID is derived from the
//! content and the timestamp (so a fixed timestamp makes the document reproducible);
//! occurrences are written as they are serialized, never held as a tree.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::check::{Found, Report};
use crate::findings::Severity;
use crate::kb::{KnowledgeBase, License};
use crate::policy::Policy;
use crate::resolve::{Provenance, RefKind};

use super::cyclonedx::{self, Model, Options, Seq};

/// The JSON-LD context of SPDX 3.0.1.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// The namespace the content hash is computed under (replaced by the real one).
const PLACEHOLDER: &str = "urn:uuid:00000000-0000-8000-8000-000000000000";

/// An idstring for `LicenseRef-fineprint-…`: letters, digits, `.` and `-` only.
fn idstring(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The SPDX id of a license on the SPDX License List, if it has one.
fn listed(lic: &License) -> Option<&str> {
    lic.spdx.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A license's expression as written in the document.
fn expression(lic: &License) -> String {
    match listed(lic) {
        Some(id) => id.to_string(),
        None => format!("LicenseRef-fineprint-{}", idstring(&lic.id)),
    }
}

/// Where a model can be downloaded: its Hugging Face page, or its Ollama library page
/// (`hf.co/…` names are Hugging Face repositories).
fn download_location(kind: RefKind, id: &str) -> Option<String> {
    match kind {
        RefKind::Hf if id.contains('/') => Some(format!("https://huggingface.co/{id}")),
        RefKind::Ollama => {
            let name = id.rsplit_once(':').map_or(id, |(n, _)| n);
            if let Some(repo) = name
                .strip_prefix("hf.co/")
                .or_else(|| name.strip_prefix("huggingface.co/"))
            {
                return Some(format!("https://huggingface.co/{repo}"));
            }
            match name.split('/').count() {
                1 => Some(format!("https://ollama.com/library/{name}")),
                2 => Some(format!("https://ollama.com/{name}")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A relationship whose targets are made as they are serialized.
struct Relationship<'a, F> {
    id: String,
    from: &'a str,
    kind: &'static str,
    to: Seq<F>,
}

impl<F, I> Serialize for Relationship<'_, F>
where
    F: Fn() -> I,
    I: Iterator<Item = String>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("type", "Relationship")?;
        map.serialize_entry("spdxId", &self.id)?;
        map.serialize_entry("creationInfo", "_:creationinfo")?;
        map.serialize_entry("from", self.from)?;
        map.serialize_entry("relationshipType", self.kind)?;
        map.serialize_entry("to", &self.to)?;
        map.end()
    }
}

/// What the document knows before its occurrences: the elements made at once, and
/// per model its package and license targets.
struct Doc<'a> {
    head: Vec<Value>,
    models: Vec<ModelPart<'a>>,
    /// The spdxId of each file, by its path as shown.
    files: HashMap<&'a str, String>,
}

struct ModelPart<'a> {
    model: &'a Model<'a>,
    id: String,
    package: Value,
    /// The license expression element's spdxId, or NoAssertionLicense.
    license: String,
}

/// One element of the `@graph`, made as it is serialized.
enum Item<'d, 'a> {
    Value(&'d Value),
    Owned(Value),
    Evidence(&'d ModelPart<'a>),
}

impl Serialize for Item<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Item::Value(v) => v.serialize(s),
            Item::Owned(v) => v.serialize(s),
            Item::Evidence(m) => {
                let n = m.model.occurrences.len();
                Relationship {
                    id: format!("{}-evidence", m.id),
                    from: &m.id,
                    kind: "hasEvidence",
                    to: Seq(n, || (1..=n).map(|k| format!("{}-reference-{k}", m.id))),
                }
                .serialize(s)
            }
        }
    }
}

fn snippet(m: &ModelPart<'_>, doc: &Doc<'_>, k: usize, path: &str, f: &Found) -> Value {
    let mut v = json!({
        "type": "software_Snippet",
        "spdxId": format!("{}-reference-{k}", m.id),
        "creationInfo": "_:creationinfo",
        "name": f.reference.text,
        "software_snippetFromFile": doc.files.get(path).cloned().unwrap_or_default(),
        "software_lineRange": {
            "type": "PositiveIntegerRange",
            "beginIntegerRange": f.line.max(1),
            "endIntegerRange": f.end_line.max(f.line).max(1),
        },
    });
    if !f.diagnostics.is_empty() {
        let findings: Vec<String> = f
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {} at {path}:{}:{}",
                    d.severity.as_str(),
                    d.code.as_str(),
                    f.line,
                    f.column
                )
            })
            .collect();
        v["comment"] = json!(format!("fineprint findings: {}", findings.join("; ")));
    }
    v
}

struct Graph<'d, 'a>(&'d Doc<'a>);

impl Serialize for Graph<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let per_model: usize = doc
            .models
            .iter()
            .map(|m| 4 + m.model.occurrences.len())
            .sum();
        let items = || {
            doc.head.iter().map(Item::Value).chain(doc.models.iter().flat_map(move |m| {
                let rels = ["hasDeclaredLicense", "hasConcludedLicense"].map(|kind| {
                    Item::Owned(json!({
                        "type": "Relationship",
                        "spdxId": format!("{}-{}", m.id, if kind == "hasDeclaredLicense" { "declared-license" } else { "concluded-license" }),
                        "creationInfo": "_:creationinfo",
                        "from": m.id,
                        "relationshipType": kind,
                        "to": [m.license],
                    }))
                });
                std::iter::once(Item::Value(&m.package))
                    .chain(rels)
                    .chain(std::iter::once(Item::Evidence(m)))
                    .chain(
                        m.model
                            .occurrences
                            .iter()
                            .enumerate()
                            .map(move |(i, (path, f))| {
                                Item::Owned(snippet(m, doc, i + 1, path, f))
                            }),
                    )
            }))
        };
        Seq(doc.head.len() + per_model, items).serialize(s)
    }
}

struct Document<'d, 'a>(&'d Doc<'a>);

impl Serialize for Document<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("@context", CONTEXT)?;
        map.serialize_entry("@graph", &Graph(self.0))?;
        map.end()
    }
}

/// Renders the report as an SPDX 3.0.1 JSON-LD document (pretty-printed).
pub fn render(report: &Report, kb: &KnowledgeBase, policy: &Policy, opts: &Options) -> String {
    super::to_string(|out| render_to(out, report, kb, policy, opts))
}

/// [`render`], written to `out` as it is made. The namespace hashes the whole
/// document, so it is serialized twice: compact into the hash (under a placeholder
/// namespace), then pretty into `out`.
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: &Options,
) -> io::Result<()> {
    let rel = cyclonedx::relative_paths(report, opts.root.as_deref());
    let models = cyclonedx::models(report, &rel);
    let draft = build(report, &rel, &models, kb, policy, opts, PLACEHOLDER);
    let mut hash = cyclonedx::Fnv::new();
    serde_json::to_writer(&mut hash, &Document(&draft)).map_err(io::Error::from)?;
    let ns = format!("urn:uuid:{}", cyclonedx::content_uuid(&hash));
    drop(draft);
    let doc = build(report, &rel, &models, kb, policy, opts, &ns);
    serde_json::to_writer_pretty(out, &Document(&doc)).map_err(io::Error::from)
}

fn build<'a>(
    report: &'a Report,
    rel: &'a [String],
    models: &'a [Model<'a>],
    kb: &KnowledgeBase,
    policy: &Policy,
    opts: &Options,
    ns: &str,
) -> Doc<'a> {
    let root = opts.root.as_deref();
    let version = env!("CARGO_PKG_VERSION");
    let ci = "_:creationinfo";
    let agent = format!("{ns}#fineprint");
    let tool = format!("{ns}#fineprint-tool");
    let project = format!("{ns}#project");
    let subject = root
        .and_then(|r| r.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let unknown = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .filter(|r| r.reference.resolution.is_none())
        .count();
    let summary = format!(
        "Model inventory made by fineprint {version} under the policy use = {}: {} files, {} references, {} models; {} errors, {} warnings, {} information, {} hints; {} unknown licenses; {} files skipped.",
        policy.use_case.as_str(),
        report.files.len(),
        report.references(),
        models.len(),
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Information),
        report.count(Severity::Hint),
        unknown,
        report.skipped.len()
    );
    let mut head = vec![
        json!({
            "type": "CreationInfo",
            "@id": ci,
            "specVersion": "3.0.1",
            "created": opts.timestamp,
            "createdBy": [agent],
            "createdUsing": [tool],
        }),
        json!({
            "type": "SoftwareAgent",
            "spdxId": agent,
            "creationInfo": ci,
            "name": "fineprint",
        }),
        json!({
            "type": "Tool",
            "spdxId": tool,
            "creationInfo": ci,
            "name": format!("fineprint {version}"),
            "externalRef": [{
                "type": "ExternalRef",
                "externalRefType": "vcs",
                "locator": [super::sarif::INFORMATION_URI],
            }],
        }),
        json!({
            "type": "SpdxDocument",
            "spdxId": ns,
            "creationInfo": ci,
            "name": format!("Models used by {}", subject.as_deref().unwrap_or("the files checked")),
            "comment": summary,
            "profileConformance": ["core", "software", "simpleLicensing", "expandedLicensing", "ai"],
            "rootElement": [format!("{ns}#sbom")],
        }),
        json!({
            "type": "software_Sbom",
            "spdxId": format!("{ns}#sbom"),
            "creationInfo": ci,
            "software_sbomType": ["analyzed"],
            "rootElement": [project],
        }),
        json!({
            "type": "software_Package",
            "spdxId": project,
            "creationInfo": ci,
            "name": subject.as_deref().unwrap_or("files checked"),
            "software_primaryPurpose": "application",
        }),
    ];

    // Vendors, licenses and files, once each, in order of first appearance.
    let mut vendors: Vec<String> = Vec::new();
    let mut licenses: Vec<&License> = Vec::new();
    let mut parts = Vec::with_capacity(models.len());
    for (i, m) in models.iter().enumerate() {
        let id = format!("{ns}#model-{}", i + 1);
        let r = m.first;
        let res = r.reference.resolution.as_ref();
        let ident = cyclonedx::identity(r, kb);
        let mut p = json!({
            "type": "ai_AIPackage",
            "spdxId": id,
            "creationInfo": ci,
            "name": match &ident.group {
                Some(g) if r.reference.kind != RefKind::Ollama => format!("{g}/{}", ident.name),
                _ => ident.name.clone(),
            },
            "software_packageUrl": ident.purl,
            "software_primaryPurpose": "model",
        });
        if let Some(v) = &ident.version {
            p["software_packageVersion"] = json!(v);
        }
        let license = match res {
            Some(res) => {
                let lic = res.license(kb);
                let n = match licenses.iter().position(|l| l.id == lic.id) {
                    Some(n) => n,
                    None => {
                        licenses.push(lic);
                        licenses.len() - 1
                    }
                };
                let fam = res.family(kb);
                let description = match (fam, res.provenance) {
                    (Some(fam), Provenance::Rules) => {
                        format!("{} ({}), under the {}.", fam.name, fam.vendor, lic.name)
                    }
                    (Some(fam), _) => format!(
                        "Derived from or a re-upload of {} ({}), whose license it inherits: the {}.",
                        fam.name, fam.vendor, lic.name
                    ),
                    (None, _) => format!(
                        "A model fineprint has no curated rule for, under the {} ({}).",
                        lic.name,
                        res.provenance.as_str()
                    ),
                };
                p["description"] = json!(description);
                p["comment"] = json!(format!(
                    "fineprint license id: {}; how fineprint knows: {} ({}).",
                    lic.id,
                    res.provenance.as_str(),
                    res.how.as_str()
                ));
                if let Some(fam) = fam {
                    let data = res
                        .at
                        .and_then(|a| a.variant)
                        .and_then(|v| fam.variant.get(v))
                        .and_then(|v| v.training_data)
                        .unwrap_or(fam.training_data);
                    p["ai_informationAboutTraining"] = json!(format!(
                        "Training data: {}; training code: {}.",
                        data.as_str(),
                        fam.training_code.as_str()
                    ));
                    if res.provenance == Provenance::Rules {
                        let v = match vendors.iter().position(|v| *v == fam.vendor) {
                            Some(v) => v,
                            None => {
                                vendors.push(fam.vendor.clone());
                                vendors.len() - 1
                            }
                        };
                        p["suppliedBy"] = json!(format!("{ns}#vendor-{}", v + 1));
                    }
                }
                format!("{ns}#license-{}", n + 1)
            }
            None => {
                p["description"] =
                    json!("A model fineprint has no rule for: its license is unknown.");
                "expandedlicensing_NoAssertionLicense".to_string()
            }
        };
        if res.is_some()
            && let Some(url) = download_location(r.reference.kind, &r.reference.id)
        {
            p["software_downloadLocation"] = json!(url);
        }
        // A Hub id's owner supplies what it uploads (a re-upload or a fine-tune).
        if p.get("suppliedBy").is_none()
            && res.is_some()
            && matches!(r.reference.kind, RefKind::Hf)
            && let Some(owner) = &ident.group
        {
            let v = match vendors.iter().position(|v| v == owner) {
                Some(v) => v,
                None => {
                    vendors.push(owner.clone());
                    vendors.len() - 1
                }
            };
            p["suppliedBy"] = json!(format!("{ns}#vendor-{}", v + 1));
        }
        let hashes: Vec<Value> = m
            .identities()
            .iter()
            .map(|i| {
                json!({
                    "type": "Hash",
                    "algorithm": "sha256",
                    "hashValue": i.sha256,
                    "comment": i.format.hashed(),
                })
            })
            .collect();
        if !hashes.is_empty() {
            p["verifiedUsing"] = Value::Array(hashes);
        }
        parts.push(ModelPart {
            model: m,
            id,
            package: p,
            license,
        });
    }
    for (v, name) in vendors.iter().enumerate() {
        head.push(json!({
            "type": "Organization",
            "spdxId": format!("{ns}#vendor-{}", v + 1),
            "creationInfo": ci,
            "name": name,
        }));
    }
    for (n, lic) in licenses.iter().enumerate() {
        let id = format!("{ns}#license-{}", n + 1);
        let expr = expression(lic);
        let mut e = json!({
            "type": "simplelicensing_LicenseExpression",
            "spdxId": id,
            "creationInfo": ci,
            "name": lic.name,
            "simplelicensing_licenseExpression": expr,
        });
        if listed(lic).is_none() {
            let custom = format!("{ns}#custom-license-{}", n + 1);
            e["simplelicensing_customIdToUri"] = json!([{
                "type": "DictionaryEntry",
                "key": expr,
                "value": custom,
            }]);
            let url = lic.url.trim();
            let text = if url.is_empty() {
                format!(
                    "fineprint does not reproduce the text of the {}. In short: {}",
                    lic.name,
                    lic.summary.trim()
                )
            } else {
                format!(
                    "fineprint does not reproduce the text of the {}: it is at {url}. In short: {}",
                    lic.name,
                    lic.summary.trim()
                )
            };
            let mut c = json!({
                "type": "expandedlicensing_CustomLicense",
                "spdxId": custom,
                "creationInfo": ci,
                "name": lic.name,
                "simplelicensing_licenseText": text,
                "expandedlicensing_isOsiApproved": lic.osi_approved,
            });
            if !url.is_empty() {
                c["expandedlicensing_seeAlso"] = json!([url]);
            }
            head.push(e);
            head.push(c);
        } else {
            head.push(e);
        }
    }
    let mut files = HashMap::new();
    let mut file_ids = Vec::new();
    for (f, path) in report.files.iter().zip(rel) {
        if f.found.is_empty() || files.contains_key(path.as_str()) {
            continue;
        }
        let id = format!("{ns}#file-{}", files.len() + 1);
        head.push(json!({
            "type": "software_File",
            "spdxId": id,
            "creationInfo": ci,
            "name": path,
        }));
        file_ids.push(id.clone());
        files.insert(path.as_str(), id);
    }
    if !file_ids.is_empty() {
        head.push(json!({
            "type": "Relationship",
            "spdxId": format!("{ns}#project-contains"),
            "creationInfo": ci,
            "from": project,
            "relationshipType": "contains",
            "to": file_ids,
        }));
    }
    if !parts.is_empty() {
        head.push(json!({
            "type": "Relationship",
            "spdxId": format!("{ns}#project-depends-on"),
            "creationInfo": ci,
            "from": project,
            "relationshipType": "dependsOn",
            "to": parts.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        }));
    }
    Doc {
        head,
        models: parts,
        files,
    }
}
