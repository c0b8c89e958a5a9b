//! The SPDX 3.0.1 document with the AI profile (`--format spdx`) and the weight files'
//! header hashes in both bills of materials, on the example project, on
//! `tests/fixtures/eu-enterprise/` and on `tests/fixtures/weight-files/` (a GGUF and a
//! safetensors file, a safetensors file whose header length points past its end).
//! Goldens in `tests/golden/` (re-bless with `FINEPRINT_BLESS=1 cargo test --test
//! spdx`). SPDX's own validator for 3.0.1 needs PyPI, so it runs from
//! `tests/validators/run.sh`; here: structure, agreement with CycloneDX and JSON, and
//! which bytes the hashes cover.

mod golden_file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURES: &[&str] = &[
    "examples",
    "tests/fixtures/eu-enterprise",
    "tests/fixtures/weight-files",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fineprint"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .env_remove("SOURCE_DATE_EPOCH")
        .env("FINEPRINT_NO_EVIDENCE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fineprint")
}

fn check(fixture: &str, format: &str) -> Value {
    let out = run(&["check", fixture, "--format", format], &[]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{fixture} {format}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{fixture} {format}: {e}"))
}

fn graph(doc: &Value) -> &[Value] {
    doc["@graph"].as_array().map_or(&[], Vec::as_slice)
}

fn of_type<'a>(doc: &'a Value, t: &str) -> Vec<&'a Value> {
    graph(doc).iter().filter(|o| o["type"] == t).collect()
}

fn by_id(doc: &Value) -> BTreeMap<&str, &Value> {
    graph(doc)
        .iter()
        .filter_map(|o| Some((o["spdxId"].as_str()?, o)))
        .collect()
}

fn golden(name: &str, actual: &str) {
    golden_file::compare(
        &root(),
        name,
        actual,
        "Review, then FINEPRINT_BLESS=1 cargo test --test spdx",
    );
}

#[test]
fn goldens() {
    for fixture in FIXTURES {
        let name = Path::new(fixture)
            .file_name()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = run(&["check", fixture, "--format", "spdx"], &[]);
        golden(
            &format!("{name}.spdx.json"),
            &String::from_utf8_lossy(&out.stdout),
        );
    }
    // The weight files' CycloneDX BOM too (its hashes).
    let out = run(
        &[
            "check",
            "tests/fixtures/weight-files",
            "--format",
            "cyclonedx",
        ],
        &[],
    );
    golden(
        "weight-files.cdx.json",
        &String::from_utf8_lossy(&out.stdout),
    );
}

/// Document, creation info, roots and profiles: what every SPDX 3.0.1 reader looks for.
#[test]
fn the_document_has_the_spdx_3_0_1_shape() {
    for fixture in FIXTURES {
        let doc = check(fixture, "spdx");
        assert_eq!(
            doc["@context"], "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "{fixture}"
        );
        let ci = of_type(&doc, "CreationInfo");
        assert_eq!(ci.len(), 1, "{fixture}");
        assert_eq!(ci[0]["specVersion"], "3.0.1", "{fixture}");
        assert_eq!(ci[0]["created"], "2026-11-23T00:00:00Z", "{fixture}");
        let ids = by_id(&doc);
        for key in ["createdBy", "createdUsing"] {
            for a in ci[0][key].as_array().expect(key) {
                assert!(
                    ids.contains_key(a.as_str().unwrap_or("")),
                    "{fixture}: {key} {a}"
                );
            }
        }
        let docs = of_type(&doc, "SpdxDocument");
        assert_eq!(docs.len(), 1, "{fixture}");
        let profiles = &docs[0]["profileConformance"];
        for p in [
            "core",
            "software",
            "simpleLicensing",
            "expandedLicensing",
            "ai",
        ] {
            assert!(
                profiles
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == p)),
                "{fixture}: profile {p}"
            );
        }
        let sbom = docs[0]["rootElement"][0].as_str().unwrap_or("");
        assert_eq!(ids[sbom]["type"], "software_Sbom", "{fixture}");
        let project = ids[ids[sbom]["rootElement"][0].as_str().unwrap_or("")];
        assert_eq!(project["type"], "software_Package", "{fixture}");
        // Every element's id is unique, and every reference is to an element.
        assert_eq!(
            ids.len(),
            graph(&doc)
                .iter()
                .filter(|o| o.get("spdxId").is_some())
                .count(),
            "{fixture}: duplicate spdxId"
        );
        for rel in of_type(&doc, "Relationship") {
            let from = rel["from"].as_str().unwrap_or("");
            assert!(ids.contains_key(from), "{fixture}: from {from}");
            for to in rel["to"].as_array().expect("to") {
                let to = to.as_str().unwrap_or("");
                assert!(
                    ids.contains_key(to) || to == "expandedlicensing_NoAssertionLicense",
                    "{fixture}: to {to}"
                );
            }
        }
    }
}

/// One AI package per CycloneDX component, same names and purls; exactly one declared
/// and one concluded license each (the AI profile's conformance clause); as many
/// snippets (occurrences) as the JSON report has references, each in a file.
#[test]
fn the_models_agree_with_cyclonedx_and_json() {
    for fixture in FIXTURES {
        let doc = check(fixture, "spdx");
        let bom = check(fixture, "cyclonedx");
        let json = check(fixture, "json");
        let ids = by_id(&doc);
        let packages = of_type(&doc, "ai_AIPackage");
        let components = bom["components"].as_array().expect("components");
        assert_eq!(packages.len(), components.len(), "{fixture}");
        for (p, c) in packages.iter().zip(components) {
            assert_eq!(p["software_packageUrl"], c["purl"], "{fixture}");
            assert_eq!(p["software_primaryPurpose"], "model", "{fixture}");
            let id = p["spdxId"].as_str().unwrap_or("");
            let rels: Vec<&Value> = of_type(&doc, "Relationship")
                .into_iter()
                .filter(|r| r["from"] == id)
                .collect();
            let targets = |kind: &str| -> Vec<&str> {
                rels.iter()
                    .filter(|r| r["relationshipType"] == kind)
                    .flat_map(|r| r["to"].as_array().into_iter().flatten())
                    .filter_map(Value::as_str)
                    .collect()
            };
            let declared = targets("hasDeclaredLicense");
            let concluded = targets("hasConcludedLicense");
            assert_eq!(declared.len(), 1, "{fixture} {id}");
            assert_eq!(declared, concluded, "{fixture} {id}");
            // The license: the CycloneDX SPDX id, or a LicenseRef to a custom license
            // with the CycloneDX name and URL, or no assertion for an unknown one.
            match c["licenses"][0]["license"].as_object() {
                None => assert_eq!(declared[0], "expandedlicensing_NoAssertionLicense"),
                Some(l) => {
                    let e = ids[declared[0]];
                    assert_eq!(e["type"], "simplelicensing_LicenseExpression");
                    let expr = e["simplelicensing_licenseExpression"]
                        .as_str()
                        .unwrap_or("");
                    match l.get("id") {
                        Some(spdx) => assert_eq!(expr, spdx, "{fixture} {id}"),
                        None => {
                            assert!(expr.starts_with("LicenseRef-fineprint-"), "{expr}");
                            let map = &e["simplelicensing_customIdToUri"][0];
                            assert_eq!(map["key"], expr);
                            let custom = ids[map["value"].as_str().unwrap_or("")];
                            assert_eq!(custom["type"], "expandedlicensing_CustomLicense");
                            assert_eq!(custom["name"], l["name"], "{fixture} {id}");
                            if let Some(url) = l.get("url") {
                                assert_eq!(custom["expandedlicensing_seeAlso"][0], *url);
                            }
                            assert!(
                                custom["simplelicensing_licenseText"]
                                    .as_str()
                                    .is_some_and(|t| !t.is_empty())
                            );
                        }
                    }
                }
            }
            // Evidence: one snippet per CycloneDX occurrence, same files and lines.
            let snippets = targets("hasEvidence");
            let occ = c["evidence"]["occurrences"]
                .as_array()
                .expect("occurrences");
            assert_eq!(snippets.len(), occ.len(), "{fixture} {id}");
            for (s, o) in snippets.iter().zip(occ) {
                let s = ids[s];
                assert_eq!(s["type"], "software_Snippet");
                let file = ids[s["software_snippetFromFile"].as_str().unwrap_or("")];
                assert_eq!(file["name"], o["location"], "{fixture} {id}");
                assert_eq!(s["software_lineRange"]["beginIntegerRange"], o["line"]);
            }
        }
        let snippets = of_type(&doc, "software_Snippet").len();
        assert_eq!(
            snippets,
            json["summary"]["references"].as_u64().unwrap_or(0) as usize,
            "{fixture}"
        );
    }
}

/// The same input and timestamp give the same bytes; another timestamp another namespace.
#[test]
fn the_document_is_reproducible() {
    let a = run(&["check", "examples", "--format", "spdx"], &[]);
    let b = run(&["check", "examples", "--format", "spdx"], &[]);
    assert_eq!(a.stdout, b.stdout);
    let c = run(
        &["check", "examples", "--format", "spdx"],
        &[("FINEPRINT_TODAY", "2026-11-24")],
    );
    let ns = |o: &Output| -> String {
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        of_type(&v, "SpdxDocument")[0]["spdxId"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(ns(&a).starts_with("urn:uuid:"), "{}", ns(&a));
    assert_ne!(ns(&a), ns(&c));
}

/// The weight files in the fixture: each BOM carries the SHA-256 of the header bytes
/// (computed here from the files), says what it covers, and names the file whose
/// header could not be read.
#[test]
fn weight_files_are_identified_by_their_header_hash() {
    let dir = root().join("tests/fixtures/weight-files/models");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let st = read("flux1-schnell.safetensors");
    let n = u64::from_le_bytes(st[..8].try_into().expect("8 bytes")) as usize;
    let gguf = read("Llama-3.2-1B-Instruct-Q4_K_M.gguf");
    let gguf_header =
        fineprint::model_file::identify(&dir.join("Llama-3.2-1B-Instruct-Q4_K_M.gguf"))
            .expect("identified")
            .header_len as usize;
    assert!(
        gguf_header < gguf.len(),
        "the fixture has tensor data after its header"
    );
    let sha = |b: &[u8]| -> String {
        use sha2::Digest;
        sha2::Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    // (purl, hash of the header bytes)
    let want = [
        (
            "pkg:generic/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
            sha(&gguf[..gguf_header]),
        ),
        ("pkg:generic/flux1-schnell.safetensors", sha(&st[..8 + n])),
    ];
    let bom = check("tests/fixtures/weight-files", "cyclonedx");
    let doc = check("tests/fixtures/weight-files", "spdx");
    for (purl, hash) in &want {
        let c = bom["components"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["purl"] == *purl))
            .unwrap_or_else(|| panic!("no component {purl}"));
        assert_eq!(
            c["hashes"],
            serde_json::json!([{"alg": "SHA-256", "content": hash}]),
            "{purl}"
        );
        let props = c["properties"].as_array().expect("properties");
        assert!(
            props.iter().any(|p| p["name"] == "fineprint:hash-scope"
                && p["value"]
                    .as_str()
                    .is_some_and(|v| v.contains("not of the tensor data"))),
            "{purl}"
        );
        let p = of_type(&doc, "ai_AIPackage")
            .into_iter()
            .find(|p| p["software_packageUrl"] == *purl)
            .unwrap_or_else(|| panic!("no AI package {purl}"));
        assert_eq!(p["verifiedUsing"][0]["type"], "Hash");
        assert_eq!(p["verifiedUsing"][0]["algorithm"], "sha256");
        assert_eq!(p["verifiedUsing"][0]["hashValue"], *hash, "{purl}");
    }
    // The broken file: a reference with no hash, and the reason.
    let c = bom["components"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["purl"] == "pkg:generic/broken-upload.safetensors")
        })
        .expect("the broken file is still a component");
    assert!(c.get("hashes").is_none());
    assert!(
        c["properties"].as_array().is_some_and(|a| a
            .iter()
            .any(|p| p["name"] == "fineprint:model-file-unidentified"
                && p["value"].as_str().is_some_and(|v| v.contains("truncated")))),
        "{c}"
    );
}
