//! Evidence on disk, end to end: a Hugging Face cache, GGUF files and an Ollama store
//! are built in a temporary folder, `fineprint check --format json` runs with the
//! environment pointing at them, and each reference's license, source and findings
//! are compared with a table.

use std::path::Path;
use std::process::Command;

use fineprint::evidence::gguf::write_test_header;
use serde_json::Value;

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, bytes).expect("write");
}

/// A cached snapshot whose README is a link into `blobs/`, as the hub library writes it.
fn cache_card(hub: &Path, repo: &str, card: &str) {
    let folder = format!("models--{}", repo.replace('/', "--"));
    let rev = "0123456789abcdef0123456789abcdef01234567";
    write(hub, &format!("{folder}/refs/main"), rev.as_bytes());
    let blob = format!("{folder}/blobs/{:x}", card.len());
    write(hub, &blob, card.as_bytes());
    let snap = hub.join(format!("{folder}/snapshots/{rev}"));
    std::fs::create_dir_all(&snap).expect("mkdir");
    let target = format!("../../blobs/{:x}", card.len());
    std::os::unix::fs::symlink(target, snap.join("README.md")).expect("symlink");
}

fn sha(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

fn blob(store: &Path, digest: &str, bytes: &[u8]) {
    let hex = digest.trim_start_matches("sha256:");
    write(store, &format!("blobs/sha256-{hex}"), bytes);
}

fn ollama_model(store: &Path, name: &str, tag: &str, license: &str, gguf: &[u8], n: u8) {
    let (lic, model) = (sha(n), sha(n + 1));
    blob(store, &lic, license.as_bytes());
    blob(store, &model, gguf);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": model, "size": gguf.len()},
            {"mediaType": "application/vnd.ollama.image.license", "digest": lic, "size": license.len()},
        ]
    });
    write(
        store,
        &format!("manifests/registry.ollama.ai/library/{name}/{tag}"),
        manifest.to_string().as_bytes(),
    );
}

struct Row {
    file: &'static str,
    text: &'static str,
    license: Option<&'static str>,
    source: Option<&'static str>,
    family: Option<&'static str>,
    code: Option<&'static str>,
    verdict: &'static str,
}

#[test]
fn evidence_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, store, ws, outside) = (
        tmp.path().join("hub"),
        tmp.path().join("ollama"),
        tmp.path().join("ws"),
        tmp.path().join("outside"),
    );
    // --- The Hugging Face cache.
    cache_card(
        &hub,
        "acme/llama-ft",
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n# A fine-tune\n",
    );
    cache_card(&hub, "acme/mystery", "---\nlicense: apache-2.0\n---\n");
    cache_card(
        &hub,
        "acme/nc-tune",
        "---\nlicense: cc-by-nc-4.0\nbase_model:\n- Qwen/Qwen2.5-7B\n---\n",
    );
    cache_card(
        &hub,
        "acme/odd",
        "---\nlicense: other\nlicense_name: acme-special\n---\n",
    );
    cache_card(
        &hub,
        "microsoft/phi-2",
        "---\nlicense: other\nlicense_name: microsoft-research-license\n---\n",
    );
    cache_card(
        &hub,
        "meta-llama/Llama-3.1-8B",
        "---\nlicense: llama3.1\n---\n",
    );
    cache_card(
        &hub,
        "Qwen/Qwen2.5-7B-Instruct",
        "---\nlicense: cc-by-nc-4.0\n---\n",
    );
    // A card that links out of the cache is never read.
    write(&outside, "secret.md", b"---\nlicense: mit\n---\n");
    let folder = hub.join("models--evil--escape");
    write(&folder, "refs/main", b"abc");
    std::fs::create_dir_all(folder.join("snapshots/abc")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.join("secret.md"),
        folder.join("snapshots/abc/README.md"),
    )
    .expect("symlink");
    // --- GGUF files in the workspace.
    write(
        &ws,
        "models/custom.gguf",
        &write_test_header(
            &[
                ("general.license", "apache-2.0"),
                ("general.base_model.count", "1"),
                (
                    "general.base_model.0.repo_url",
                    "https://huggingface.co/meta-llama/Llama-3.2-1B",
                ),
            ],
            50,
        ),
    );
    write(
        &ws,
        "models/named.gguf",
        &write_test_header(&[("general.name", "Qwen2.5 7B Instruct")], 5),
    );
    write(&ws, "models/broken.gguf", b"GGUF\x03\0\0\0\x01");
    // --- The Ollama store.
    ollama_model(
        &store,
        "llama3.1",
        "8b",
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n...",
        &write_test_header(&[("general.license", "llama3.1")], 3),
        1,
    );
    ollama_model(
        &store,
        "qwen2.5",
        "7b",
        "Qwen RESEARCH LICENSE AGREEMENT\n...",
        &write_test_header(&[], 3),
        3,
    );
    // --- The code.
    write(
        &ws,
        "app.py",
        br#"from transformers import AutoModel
a = AutoModel.from_pretrained("acme/llama-ft")
b = AutoModel.from_pretrained("acme/mystery")
c = AutoModel.from_pretrained("acme/nc-tune")
d = AutoModel.from_pretrained("acme/odd")
e = AutoModel.from_pretrained("microsoft/phi-2")
f = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")
g = AutoModel.from_pretrained("evil/escape")
h = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
i = AutoModel.from_pretrained("acme/not-cached")
llm = Llama(model_path="models/custom.gguf")
llm2 = Llama(model_path="models/named.gguf")
llm3 = Llama(model_path="models/broken.gguf")
"#,
    );
    write(
        &ws,
        "pull.sh",
        b"ollama pull llama3.1:8b\nollama pull qwen2.5:7b\n",
    );
    write(
        &ws,
        "Modelfile",
        b"FROM llama3.1:8b\nPARAMETER temperature 0.2\nLICENSE \"\"\"\n                                 Apache License\n                           Version 2.0, January 2004\n\"\"\"\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(&ws)
        .env("HF_HUB_CACHE", &hub)
        .env("OLLAMA_MODELS", &store)
        .env("HOME", tmp.path())
        .env_remove("HF_HOME")
        .env_remove("FINEPRINT_NO_EVIDENCE")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let rows = [
        Row {
            file: "app.py",
            text: "acme/llama-ft",
            license: Some("llama3.1"),
            source: Some("hf-cache"),
            family: Some("llama-3.1"),
            code: Some("license-mismatch"),
            verdict: "derives from `meta-llama/Llama-3.1-8B`",
        },
        Row {
            file: "app.py",
            text: "acme/mystery",
            license: Some("apache-2.0"),
            source: Some("hf-cache"),
            family: None,
            code: None,
            verdict: "names no base model",
        },
        Row {
            file: "app.py",
            text: "acme/nc-tune",
            license: Some("cc-by-nc-4.0"),
            source: Some("hf-cache"),
            family: Some("qwen2.5"),
            code: Some("non-commercial"),
            verdict: "stricter than",
        },
        Row {
            file: "app.py",
            text: "acme/odd",
            license: None,
            source: None,
            family: None,
            code: Some("unknown-license"),
            verdict: "`acme-special`, a license fineprint does not know",
        },
        Row {
            file: "app.py",
            text: "microsoft/phi-2",
            license: Some("microsoft-research-license"),
            source: Some("hf-cache"),
            family: Some("phi-2"),
            code: Some("non-commercial"),
            verdict: "the license this repository had before 2024-01-05",
        },
        Row {
            file: "app.py",
            text: "meta-llama/Llama-3.1-8B",
            license: Some("llama3.1"),
            source: Some("rules"),
            family: Some("llama-3.1"),
            code: None,
            verdict: "as the rules say",
        },
        Row {
            file: "app.py",
            text: "evil/escape",
            license: None,
            source: None,
            family: None,
            code: Some("unknown-license"),
            verdict: "links outside",
        },
        Row {
            file: "app.py",
            text: "Qwen/Qwen2.5-7B-Instruct",
            license: Some("cc-by-nc-4.0"),
            source: Some("hf-cache"),
            family: Some("qwen2.5"),
            code: Some("evidence-conflict"),
            verdict: "applies the stricter",
        },
        Row {
            file: "app.py",
            text: "acme/not-cached",
            license: None,
            source: None,
            family: None,
            code: Some("unknown-license"),
            verdict: "",
        },
        Row {
            file: "app.py",
            text: "custom.gguf",
            license: Some("llama3.2"),
            source: Some("gguf"),
            family: Some("llama-3.2"),
            code: Some("license-mismatch"),
            verdict: "derives from `meta-llama/Llama-3.2-1B`",
        },
        Row {
            file: "app.py",
            text: "named.gguf",
            license: Some("apache-2.0"),
            source: Some("gguf"),
            family: Some("qwen2.5"),
            code: None,
            verdict: "names the model `Qwen2.5 7B Instruct`",
        },
        Row {
            file: "app.py",
            text: "broken.gguf",
            license: None,
            source: None,
            family: None,
            code: Some("unknown-license"),
            verdict: "could not be read (truncated",
        },
        // The walk meets the GGUF files themselves.
        Row {
            file: "models/custom.gguf",
            text: "custom.gguf",
            license: Some("llama3.2"),
            source: Some("gguf"),
            family: Some("llama-3.2"),
            code: Some("license-mismatch"),
            verdict: "derives from `meta-llama/Llama-3.2-1B`",
        },
        Row {
            file: "models/named.gguf",
            text: "named.gguf",
            license: Some("apache-2.0"),
            source: Some("gguf"),
            family: Some("qwen2.5"),
            code: None,
            verdict: "names the model `Qwen2.5 7B Instruct`",
        },
        Row {
            file: "models/broken.gguf",
            text: "broken.gguf",
            license: None,
            source: None,
            family: None,
            code: Some("unknown-license"),
            verdict: "could not be read (truncated",
        },
        Row {
            file: "pull.sh",
            text: "llama3.1:8b",
            license: Some("llama3.1"),
            source: Some("rules"),
            family: Some("llama-3.1"),
            code: None,
            verdict: "as the rules say",
        },
        Row {
            file: "pull.sh",
            text: "qwen2.5:7b",
            license: Some("qwen-research"),
            source: Some("ollama"),
            family: Some("qwen2.5"),
            code: Some("evidence-conflict"),
            verdict: "applies the stricter",
        },
        Row {
            file: "Modelfile",
            text: "llama3.1:8b",
            license: Some("llama3.1"),
            source: Some("rules"),
            family: Some("llama-3.1"),
            code: Some("license-mismatch"),
            verdict: "the Modelfile's LICENSE is the Apache License 2.0",
        },
    ];
    let refs = v["references"].as_array().expect("references");
    let mut failures = Vec::new();
    for row in &rows {
        let Some(r) = refs
            .iter()
            .find(|r| r["path"] == row.file && r["text"] == row.text)
        else {
            failures.push(format!("{} {}: not found", row.file, row.text));
            continue;
        };
        let codes: Vec<&str> = r["diagnostics"]
            .as_array()
            .map(|d| d.iter().filter_map(|x| x["code"].as_str()).collect())
            .unwrap_or_default();
        let verdict = r["evidence"]["verdict"].as_str().unwrap_or("");
        let got = (
            r["license"].as_str(),
            r["source"].as_str(),
            r["family"].as_str(),
        );
        if got != (row.license, row.source, row.family)
            || row.code.is_some_and(|c| !codes.contains(&c))
            || (row.code.is_none()
                && codes
                    .iter()
                    .any(|c| *c == "license-mismatch" || *c == "evidence-conflict"))
            || !verdict.contains(row.verdict)
        {
            failures.push(format!(
                "{} {}: got license/source/family {got:?}, codes {codes:?}, verdict {verdict:?}",
                row.file, row.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_evidence_switch_and_missing_roots() {
    // With the readers off, or with roots that do not exist, the rules answer alone.
    let tmp = tempfile::tempdir().expect("tmp");
    let hub = tmp.path().join("hub");
    cache_card(&hub, "acme/mystery", "---\nlicense: apache-2.0\n---\n");
    write(
        tmp.path(),
        "ws/app.py",
        b"m = from_pretrained(\"acme/mystery\")\n",
    );
    for (hub_env, off) in [(hub.clone(), "1"), (tmp.path().join("nope"), "0")] {
        let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .args(["check", ".", "--format", "json"])
            .current_dir(tmp.path().join("ws"))
            .env("HF_HUB_CACHE", &hub_env)
            .env("OLLAMA_MODELS", tmp.path().join("nope"))
            .env("FINEPRINT_NO_EVIDENCE", off)
            .output()
            .expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let r = &v["references"][0];
        assert_eq!(r["text"], "acme/mystery");
        assert!(r["license"].is_null(), "{r}");
        assert!(r["evidence"].is_null(), "{r}");
    }
}
