//! The report formats for CI: SARIF 2.1.0 and the CycloneDX 1.6 ML-BOM, on the example
//! project and on `tests/fixtures/eu-enterprise/` (800M users, EU, Llama 3.1, Llama 3.2
//! vision, FLUX.1-dev, Mistral-7B, gpt-4o). Structure, positions, stability, and
//! agreement: JSON, SARIF and BOM name the same references and the same error counts.
//! Goldens in `tests/golden/` (re-bless with `FINEPRINT_BLESS=1 cargo test --test
//! reports`). The reference validators (SARIF Multitool, the CycloneDX schema) need npm
//! and PyPI, so they run from `tests/validators/run.sh`, not here.

mod golden_file;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fineprint::kb::KnowledgeBase;
use serde_json::Value;

const TODAY: &str = "2026-11-23";
const FIXTURES: &[&str] = &["examples", "tests/fixtures/eu-enterprise"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fineprint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", TODAY)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("FINEPRINT_NO_EVIDENCE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fineprint")
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `fineprint check FIXTURE --format FORMAT` from the repository root: output and exit code.
fn check(fixture: &str, format: &str, extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["check", fixture, "--format", format];
    args.extend_from_slice(extra);
    let out = run_in(&root(), &args, &[]);
    (parse(&out), out.status.code().unwrap_or(-1))
}

/// A path as the report prints it (relative to the working directory, the repository
/// root here), made relative to the fixture folder, as SARIF and the BOM give it.
fn in_fixture<'a>(fixture: &str, path: &'a str) -> &'a str {
    let dir = fixture.trim_end_matches('/');
    path.strip_prefix(dir)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path)
}

fn s<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
}

fn n(v: &Value, what: &str) -> usize {
    v.as_u64()
        .map(|x| usize::try_from(x).unwrap_or(usize::MAX))
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

fn arr<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not an array: {v}"))
}

fn results(sarif: &Value) -> &Vec<Value> {
    arr(&sarif["runs"][0]["results"], "results")
}

fn props<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v["properties"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|p| p["name"] == name)
                .map(|p| s(&p["value"], name))
                .collect()
        })
        .unwrap_or_default()
}

fn kb() -> KnowledgeBase {
    KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------- SARIF

#[test]
fn sarif_has_the_shape_github_code_scanning_reads() {
    for fixture in FIXTURES {
        let (sarif, code) = check(fixture, "sarif", &[]);
        assert_eq!(code, 1, "{fixture}: both fixtures have errors");
        assert_eq!(sarif["version"], "2.1.0");
        assert!(s(&sarif["$schema"], "$schema").contains("sarif-2.1.0"));
        let runs = arr(&sarif["runs"], "runs");
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "fineprint");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(s(&driver["informationUri"], "informationUri").starts_with("https://"));
        // One rule per finding code, in the order of Code::ALL.
        let rules = arr(&driver["rules"], "rules");
        let codes: Vec<&str> = fineprint::findings::Code::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        let ids: Vec<&str> = rules.iter().map(|r| s(&r["id"], "rule id")).collect();
        assert_eq!(ids, codes);
        for r in rules {
            let id = s(&r["id"], "id");
            let name = s(&r["name"], "name");
            assert!(!name.is_empty() && !name.eq_ignore_ascii_case(id), "{id}");
            for field in ["shortDescription", "fullDescription", "help"] {
                assert!(
                    !s(&r[field]["text"], field).is_empty(),
                    "{id}: {field} is empty"
                );
            }
            assert!(s(&r["help"]["markdown"], "markdown").contains("docs/"));
            let help = s(&r["helpUri"], "helpUri");
            assert!(
                help.starts_with("https://") && help.ends_with("docs/codes.md"),
                "{help}"
            );
            assert!(
                ["error", "warning", "note"].contains(&s(
                    &r["defaultConfiguration"]["level"],
                    "defaultConfiguration.level"
                )),
                "{id}"
            );
        }
        // originalUriBaseIds resolves SRCROOT to the folder checked.
        let base = s(&run["originalUriBaseIds"]["SRCROOT"]["uri"], "SRCROOT");
        let folder = root().join(fixture);
        assert!(
            base.starts_with("file:///") && base.ends_with('/'),
            "{base}"
        );
        assert!(
            base.trim_end_matches('/')
                .ends_with(&folder.to_string_lossy().replace('\\', "/")),
            "{base} is not {}",
            folder.display()
        );
        let mut fingerprints = HashSet::new();
        for r in results(&sarif) {
            let rule_id = s(&r["ruleId"], "ruleId");
            let index = n(&r["ruleIndex"], "ruleIndex");
            assert_eq!(rules[index]["id"], rule_id);
            assert!(["error", "warning", "note"].contains(&s(&r["level"], "level")));
            let msg = s(&r["message"]["text"], "message");
            assert!(
                msg.ends_with('.'),
                "SARIF wants messages to end in a period: {msg}"
            );
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = s(&loc["artifactLocation"]["uri"], "uri");
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
            assert!(!uri.starts_with('/') && !uri.contains(':'), "{uri}");
            assert!(
                folder.join(uri).is_file(),
                "{uri} is not a file under {fixture}"
            );
            assert!(n(&loc["region"]["startLine"], "startLine") >= 1);
            let fp = s(
                &r["partialFingerprints"][fineprint::render::sarif::FINGERPRINT_KEY],
                "fingerprint",
            );
            assert!(
                fingerprints.insert(fp.to_string()),
                "{fixture}: duplicate fingerprint {fp}"
            );
        }
    }
}

/// Every region, read back from the file with UTF-16 columns, is the reference's text.
#[test]
fn sarif_regions_are_utf16_columns_that_select_the_reference() {
    let mut checked_astral = false;
    for fixture in FIXTURES {
        let (sarif, _) = check(fixture, "sarif", &[]);
        let (json, _) = check(fixture, "json", &[]);
        for r in results(&sarif) {
            let loc = &r["locations"][0]["physicalLocation"];
            let region = &loc["region"];
            if region.get("startColumn").is_none() {
                // Findings on the policy file name a line only.
                assert_eq!(r["ruleId"], "exception-unused");
                continue;
            }
            let uri = s(&loc["artifactLocation"]["uri"], "uri");
            let text =
                std::fs::read_to_string(root().join(fixture).join(uri)).expect("read the file");
            let line_no = n(&region["startLine"], "startLine");
            assert_eq!(region["endLine"], region["startLine"]);
            let line = text.lines().nth(line_no - 1).expect("the line exists");
            let units: Vec<u16> = line.encode_utf16().collect();
            let (a, b) = (
                n(&region["startColumn"], "startColumn"),
                n(&region["endColumn"], "endColumn"),
            );
            assert!(
                a >= 1 && b > a && b - 1 <= units.len(),
                "{uri}:{line_no}: {a}..{b}"
            );
            let selected = String::from_utf16(&units[a - 1..b - 1]).expect("valid UTF-16");
            assert_eq!(selected, s(&region["snippet"]["text"], "snippet"));
            // The JSON report counts Unicode scalar values: the two differ exactly when
            // the line has characters outside the Basic Multilingual Plane before it.
            let j = arr(&json["references"], "references")
                .iter()
                .find(|x| {
                    in_fixture(fixture, s(&x["path"], "path")) == uri
                        && n(&x["line"], "line") == line_no
                        && x["text"] == selected.as_str()
                })
                .expect("the JSON report has the reference");
            let before: String = line.chars().take(n(&j["column"], "column") - 1).collect();
            assert_eq!(a - 1, before.encode_utf16().count());
            if a != n(&j["column"], "column") {
                checked_astral = true;
            }
        }
    }
    assert!(
        checked_astral,
        "the eu-enterprise fixture has an emoji before FLUX.1-dev, so one column must differ"
    );
}

#[test]
fn sarif_fingerprints_survive_edits_above_and_hints_come_with_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("app.py");
    let body = "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\nother = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";
    std::fs::write(&file, body).expect("write");
    let sarif = |extra: &[&str]| {
        let mut args = vec!["check", ".", "--format", "sarif"];
        args.extend_from_slice(extra);
        parse(&run_in(dir.path(), &args, &[]))
    };
    let fps = |v: &Value| -> Vec<(String, String, usize)> {
        results(v)
            .iter()
            .map(|r| {
                (
                    s(&r["ruleId"], "ruleId").to_string(),
                    s(
                        &r["partialFingerprints"][fineprint::render::sarif::FINGERPRINT_KEY],
                        "fp",
                    )
                    .to_string(),
                    n(
                        &r["locations"][0]["physicalLocation"]["region"]["startLine"],
                        "line",
                    ),
                )
            })
            .collect()
    };
    let before = fps(&sarif(&[]));
    std::fs::write(&file, format!("import torch\n\n# images\n{body}")).expect("write");
    let after = fps(&sarif(&[]));
    assert_eq!(
        before.len(),
        4,
        "non-commercial and output-restriction, twice"
    );
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, &b.1), (&a.0, &a.1), "same rule, same fingerprint");
        assert_eq!(b.2 + 3, a.2, "three lines lower");
    }
    let distinct: HashSet<_> = before.iter().map(|x| &x.1).collect();
    assert_eq!(distinct.len(), 4, "two equal references are two alerts");
    // Hints (field-of-use) only with --all, at level note.
    assert!(
        results(&sarif(&[]))
            .iter()
            .all(|r| r["ruleId"] != "field-of-use")
    );
    let all = sarif(&["--all"]);
    let hints: Vec<_> = results(&all)
        .iter()
        .filter(|r| r["ruleId"] == "field-of-use")
        .collect();
    assert_eq!(hints.len(), 2);
    assert!(hints.iter().all(|r| r["level"] == "note"));
}

// ------------------------------------------------------------- CycloneDX

#[test]
fn bom_lists_each_model_once_with_license_purl_and_evidence() {
    let kb = kb();
    for fixture in FIXTURES {
        let (bom, code) = check(fixture, "cyclonedx", &[]);
        assert_eq!(code, 1, "{fixture}");
        assert_eq!(bom["bomFormat"], "CycloneDX");
        assert_eq!(bom["specVersion"], "1.6");
        assert_eq!(bom["version"], 1);
        let serial = s(&bom["serialNumber"], "serialNumber");
        let hex = serial.trim_start_matches("urn:uuid:");
        let groups: Vec<usize> = hex.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{serial}");
        assert!(
            hex.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        let meta = &bom["metadata"];
        assert_eq!(meta["timestamp"], format!("{TODAY}T00:00:00Z"));
        assert_eq!(meta["tools"]["components"][0]["name"], "fineprint");
        assert_eq!(
            meta["tools"]["components"][0]["version"],
            env!("CARGO_PKG_VERSION")
        );
        let subject = Path::new(fixture)
            .file_name()
            .map(|x| x.to_string_lossy().into_owned());
        assert_eq!(meta["component"]["name"].as_str(), subject.as_deref());
        let comps = arr(&bom["components"], "components");
        let mut refs = HashSet::new();
        let mut names = HashSet::new();
        for c in comps {
            let name = s(&c["name"], "name");
            assert_eq!(c["type"], "machine-learning-model", "{name}");
            assert!(refs.insert(s(&c["bom-ref"], "bom-ref").to_string()));
            let full = format!("{}/{name}@{}", c["group"], c["version"]);
            assert!(names.insert(full.clone()), "{full} is listed twice");
            let purl = s(&c["purl"], "purl");
            let kind = props(c, "fineprint:reference-kind");
            assert_eq!(kind.len(), 1, "{name}");
            if kind[0] == "hf" {
                assert!(purl.starts_with("pkg:huggingface/"), "{purl}");
                assert!(purl.ends_with(&format!("/{name}")), "{purl}");
            } else {
                assert!(purl.starts_with("pkg:generic/"), "{purl}");
            }
            let license = props(c, "fineprint:license");
            assert_eq!(license.len(), 1, "{name}");
            match kb.license(license[0]) {
                Some(lic) => {
                    let l = &c["licenses"][0]["license"];
                    assert_eq!(arr(&c["licenses"], "licenses").len(), 1);
                    match lic.spdx.as_deref().filter(|x| !x.trim().is_empty()) {
                        Some(spdx) => {
                            assert_eq!(l["id"], spdx, "{name}");
                            assert!(l.get("name").is_none());
                        }
                        None => {
                            assert!(l.get("id").is_none(), "{name}: no SPDX id, so no id");
                            assert_eq!(l["name"], lic.name.as_str());
                            assert!(s(&l["url"], "url").starts_with("http"));
                        }
                    }
                    for p in [
                        "fineprint:family",
                        "fineprint:openness",
                        "fineprint:source",
                        "fineprint:training-data",
                    ] {
                        assert_eq!(props(c, p).len(), 1, "{name}: {p}");
                    }
                    assert!(c["modelCard"].is_object(), "{name}");
                }
                None => {
                    assert_eq!(license[0], "unknown", "{name}");
                    assert!(c.get("licenses").is_none(), "{name}: no empty license");
                }
            }
            let occ = arr(&c["evidence"]["occurrences"], "occurrences");
            assert!(!occ.is_empty(), "{name}");
            for o in occ {
                let loc = s(&o["location"], "location");
                assert!(root().join(fixture).join(loc).is_file(), "{loc}");
                assert!(n(&o["line"], "line") >= 1);
            }
        }
        let deps = arr(&bom["dependencies"], "dependencies");
        assert_eq!(deps[0]["ref"], "project");
        let on: HashSet<String> = arr(&deps[0]["dependsOn"], "dependsOn")
            .iter()
            .map(|x| s(x, "dependsOn").to_string())
            .collect();
        assert_eq!(on, refs);
    }
}

#[test]
fn bom_purls_licenses_and_unknowns_in_the_examples() {
    let (bom, _) = check("examples", "cyclonedx", &[]);
    let comps = arr(&bom["components"], "components");
    let by_purl: BTreeMap<&str, &Value> =
        comps.iter().map(|c| (s(&c["purl"], "purl"), c)).collect();
    let get = |p: &str| {
        *by_purl
            .get(p)
            .unwrap_or_else(|| panic!("no component {p}: {:?}", by_purl.keys()))
    };
    let llama = get("pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(llama["group"], "meta-llama");
    assert_eq!(llama["manufacturer"]["name"], "Meta");
    assert_eq!(
        llama["licenses"][0]["license"]["name"],
        "Llama 3.1 Community License Agreement"
    );
    assert_eq!(
        props(llama, "fineprint:openness"),
        ["open-weights-restricted"]
    );
    // Four occurrences: README.md, config/train.yaml and train.py twice.
    assert_eq!(arr(&llama["evidence"]["occurrences"], "occ").len(), 4);
    let minilm = get("pkg:huggingface/sentence-transformers/all-MiniLM-L6-v2");
    assert_eq!(minilm["licenses"][0]["license"]["id"], "Apache-2.0");
    let qwen = get("pkg:generic/ollama/qwen2.5@7b");
    assert_eq!(qwen["name"], "qwen2.5");
    assert_eq!(qwen["version"], "7b");
    let gpt = get("pkg:generic/openai/gpt-4o-mini");
    assert_eq!(props(gpt, "fineprint:openness"), ["closed"]);
    let gguf = get("pkg:generic/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf");
    assert_eq!(props(gguf, "fineprint:source"), ["inherited"]);
    assert!(
        gguf.get("manufacturer").is_none(),
        "a conversion is not made by the family's vendor"
    );
    let unknown = get("pkg:huggingface/acme-ai/support-bot-8b");
    assert!(unknown.get("licenses").is_none());
    assert_eq!(props(unknown, "fineprint:license"), ["unknown"]);
    assert_eq!(
        props(unknown, "fineprint:finding"),
        ["warning unknown-license .env.example:7:10"]
    );
}

#[test]
fn bom_timestamp_is_overridable_and_the_serial_follows_it() {
    let dir = root();
    let bom = |env: &[(&str, &str)]| {
        parse(&run_in(
            &dir,
            &["check", "examples", "--format", "cyclonedx"],
            env,
        ))
    };
    let a = bom(&[("SOURCE_DATE_EPOCH", "951782400")]);
    assert_eq!(a["metadata"]["timestamp"], "2000-02-29T00:00:00Z");
    let b = bom(&[("SOURCE_DATE_EPOCH", "951782400")]);
    assert_eq!(a, b, "a fixed timestamp makes the BOM reproducible");
    let c = bom(&[("SOURCE_DATE_EPOCH", "1795435199")]);
    assert_eq!(c["metadata"]["timestamp"], "2026-11-23T11:59:59Z");
    assert_ne!(a["serialNumber"], c["serialNumber"]);
    for (secs, want) in [
        (0, "1970-01-01T00:00:00Z"),
        (86_399, "1970-01-01T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
    ] {
        assert_eq!(fineprint::render::cyclonedx::rfc3339(secs), want);
    }
}

// ------------------------------------------------------------- agreement

/// JSON, SARIF and BOM of each fixture: the same references and the same counts.
#[test]
fn json_sarif_and_bom_agree() {
    for fixture in FIXTURES {
        let (json, jcode) = check(fixture, "json", &[]);
        let (sarif, scode) = check(fixture, "sarif", &[]);
        let (bom, bcode) = check(fixture, "cyclonedx", &[]);
        assert_eq!(
            (jcode, scode, bcode),
            (1, 1, 1),
            "{fixture}: same exit code"
        );
        let summary = &json["summary"];
        let errors = n(&summary["errors"], "errors");
        let warnings = n(&summary["warnings"], "warnings");
        assert!(errors > 0, "{fixture}");

        // SARIF: one result per finding except hints.
        let level_count = |l: &str| results(&sarif).iter().filter(|r| r["level"] == l).count();
        assert_eq!(level_count("error"), errors, "{fixture}: SARIF errors");
        assert_eq!(
            level_count("warning"),
            warnings,
            "{fixture}: SARIF warnings"
        );
        assert_eq!(
            level_count("note"),
            n(&summary["information"], "information"),
            "{fixture}: SARIF notes"
        );
        // The same (path, line, code) findings.
        let mut from_json = BTreeSet::new();
        for r in arr(&json["references"], "references") {
            for d in arr(&r["diagnostics"], "diagnostics") {
                if d["severity"] != "hint" {
                    from_json.insert((
                        in_fixture(fixture, s(&r["path"], "path")).to_string(),
                        n(&r["line"], "line"),
                        s(&d["code"], "code").to_string(),
                    ));
                }
            }
        }
        for p in arr(&json["policy_findings"], "policy_findings") {
            let path = Path::new(s(&p["path"], "path"));
            from_json.insert((
                path.file_name()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                n(&p["line"], "line"),
                s(&p["code"], "code").to_string(),
            ));
        }
        let from_sarif: BTreeSet<_> = results(&sarif)
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                (
                    s(&loc["artifactLocation"]["uri"], "uri").to_string(),
                    n(&loc["region"]["startLine"], "line"),
                    s(&r["ruleId"], "ruleId").to_string(),
                )
            })
            .collect();
        assert_eq!(from_json, from_sarif, "{fixture}: SARIF findings");
        assert_eq!(
            sarif["runs"][0]["properties"]["summary"]["errors"],
            summary["errors"]
        );

        // BOM: every reference is an occurrence; every finding a property.
        let comps = arr(&bom["components"], "components");
        let mut occurrences = BTreeSet::new();
        let mut findings = BTreeMap::<String, usize>::new();
        for c in comps {
            for o in arr(&c["evidence"]["occurrences"], "occurrences") {
                occurrences.insert((
                    s(&o["location"], "location").to_string(),
                    n(&o["line"], "line"),
                    n(&o["offset"], "offset"),
                    s(&o["symbol"], "symbol").to_string(),
                ));
            }
            for f in props(c, "fineprint:finding") {
                let sev = f.split(' ').next().unwrap_or("").to_string();
                *findings.entry(sev).or_default() += 1;
            }
        }
        let refs: BTreeSet<_> = arr(&json["references"], "references")
            .iter()
            .map(|r| {
                (
                    in_fixture(fixture, s(&r["path"], "path")).to_string(),
                    n(&r["line"], "line"),
                    n(&r["column"], "column"),
                    s(&r["text"], "text").to_string(),
                )
            })
            .collect();
        assert_eq!(occurrences, refs, "{fixture}: BOM occurrences");
        assert_eq!(
            occurrences.len(),
            n(&summary["references"], "references"),
            "{fixture}"
        );
        let policy_errors = arr(&json["policy_findings"], "policy_findings")
            .iter()
            .filter(|p| p["severity"] == "error")
            .count();
        let policy_warnings = arr(&json["policy_findings"], "policy_findings")
            .iter()
            .filter(|p| p["severity"] == "warning")
            .count();
        assert_eq!(
            findings.get("error").copied().unwrap_or(0) + policy_errors,
            errors,
            "{fixture}: BOM errors"
        );
        assert_eq!(
            findings.get("warning").copied().unwrap_or(0) + policy_warnings,
            warnings,
            "{fixture}: BOM warnings"
        );
        let meta = &bom["metadata"];
        assert_eq!(
            props(meta, "fineprint:summary:errors"),
            [errors.to_string()]
        );
        // Skipped files: JSON `skipped`, SARIF tool notifications, BOM properties.
        let skipped = arr(&json["skipped"], "skipped").len();
        let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(notes, skipped, "{fixture}: SARIF notifications");
        assert_eq!(props(meta, "fineprint:skipped").len(), skipped, "{fixture}");
        assert_eq!(
            props(meta, "fineprint:summary:references"),
            [summary["references"].to_string()]
        );
        // Distinct models: as many components as distinct (kind, id) in JSON.
        let distinct: HashSet<(String, String)> = arr(&json["references"], "references")
            .iter()
            .map(|r| {
                let id = r["model"].as_str().unwrap_or(s(&r["text"], "text"));
                (s(&r["kind"], "kind").to_string(), id.to_lowercase())
            })
            .collect();
        assert_eq!(
            comps.len(),
            distinct.len(),
            "{fixture}: one component per model"
        );
    }
}

#[test]
fn eu_enterprise_findings_are_what_its_policy_declares() {
    let (json, code) = check("tests/fixtures/eu-enterprise", "json", &[]);
    assert_eq!(code, 1);
    let mut got = BTreeSet::new();
    for r in arr(&json["references"], "references") {
        for d in arr(&r["diagnostics"], "diagnostics") {
            if d["severity"] == "error" {
                got.insert((
                    s(&r["text"], "text").to_string(),
                    s(&d["code"], "code").to_string(),
                ));
            }
        }
    }
    let want: BTreeSet<(String, String)> = [
        ("meta-llama/Llama-3.1-8B-Instruct", "commercial-threshold"),
        (
            "meta-llama/Llama-3.2-11B-Vision-Instruct",
            "commercial-threshold",
        ),
        (
            "meta-llama/Llama-3.2-11B-Vision-Instruct",
            "region-excluded",
        ),
        ("black-forest-labs/FLUX.1-dev", "non-commercial"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    // The Latin-1 file is skipped, not silently ignored.
    let skipped = arr(&json["skipped"], "skipped");
    assert_eq!(skipped.len(), 1);
    // Paths are printed as the walk reached them from the path given.
    assert_eq!(
        skipped[0]["path"],
        "tests/fixtures/eu-enterprise/legacy/latin1.py"
    );
    let unused = arr(&json["policy_findings"], "policy_findings");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["code"], "exception-unused");
    // The policy file is a SARIF location relative to the folder checked.
    let (sarif, _) = check("tests/fixtures/eu-enterprise", "sarif", &[]);
    let r = results(&sarif)
        .iter()
        .find(|r| r["ruleId"] == "exception-unused")
        .expect("exception-unused result");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "fineprint.toml");
    assert_eq!(loc["region"]["startLine"], unused[0]["line"]);
}

#[test]
fn a_file_outside_any_folder_gets_an_absolute_uri() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("my app.py");
    std::fs::write(
        &file,
        "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    )
    .expect("write");
    let abs = file.canonicalize().expect("canonical");
    let out = run_in(
        dir.path(),
        &["check", &abs.to_string_lossy(), "--format", "sarif"],
        &[],
    );
    let sarif = parse(&out);
    let loc = &results(&sarif)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = s(&loc["uri"], "uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/my%20app.py"),
        "{uri}"
    );
    assert!(loc.get("uriBaseId").is_none());
    assert!(sarif["runs"][0].get("originalUriBaseIds").is_none());
    // Checked as a relative file: relative URI, percent-encoded.
    let out = run_in(
        dir.path(),
        &["check", "my app.py", "--format", "sarif"],
        &[],
    );
    let sarif = parse(&out);
    let loc = &results(&sarif)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "my%20app.py");
    // A BOM without a folder has no subject and no dependency graph.
    let out = run_in(
        dir.path(),
        &["check", "my app.py", "--format", "cyclonedx"],
        &[],
    );
    let bom = parse(&out);
    assert!(bom["metadata"].get("component").is_none());
    assert!(bom.get("dependencies").is_none());
    assert_eq!(arr(&bom["components"], "components").len(), 1);
}

// ---------------------------------------------------------------- goldens

fn golden(name: &str, actual: &str) {
    golden_file::compare(
        &root(),
        name,
        actual,
        "Review, then FINEPRINT_BLESS=1 cargo test --test reports",
    );
}

#[test]
fn goldens() {
    for fixture in FIXTURES {
        let name = Path::new(fixture)
            .file_name()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (format, ext) in [("sarif", "sarif"), ("cyclonedx", "cdx.json")] {
            let out = run_in(&root(), &["check", fixture, "--format", format], &[]);
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            // The only machine-dependent field: where the folder checked is.
            let base = fineprint::render::sarif::file_uri(&root());
            let text = text.replace(&base, "file:///REPOSITORY");
            golden(&format!("{name}.{ext}"), &text);
        }
    }
}

/// The SARIF rules' default levels are the ones `docs/codes.md` documents.
#[test]
fn sarif_default_levels_follow_docs_codes_md() {
    let doc = std::fs::read_to_string(root().join("docs/codes.md")).expect("docs/codes.md");
    for code in fineprint::findings::Code::ALL {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", code.as_str())))
            .unwrap_or_else(|| panic!("no row for {}", code.as_str()));
        let default = row.split('|').nth(3).unwrap_or("").trim();
        let first = default
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        assert_eq!(
            fineprint::render::sarif::default_severity(*code).as_str(),
            first,
            "{}: docs/codes.md says {default:?}",
            code.as_str()
        );
    }
}
