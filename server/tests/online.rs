//! Online resolution end to end: `fineprint check --online` and `fineprint sync`
//! against a Hub served on 127.0.0.1 by the test (answers in the documented format of
//! `/api/models/{id}`), then the same answers offline from the disk cache.

#[path = "common/http.rs"]
mod http;

use std::path::Path;
use std::process::{Command, Output};

use http::{Reply, Server};
use serde_json::{Value, json};

/// The Hub the tests talk to: each id's answer, as the Hub's model API writes it.
fn hub() -> Server {
    Server::start(|r| {
        let model = |card: Value, extra: Value| {
            let mut v = json!({
                "_id": "0000", "id": r.path.trim_start_matches("/api/models/"),
                "sha": "0123456789abcdef0123456789abcdef01234567",
                "lastModified": "2026-10-01T12:00:00.000Z", "private": false, "gated": false,
                "downloads": 10, "likes": 1, "tags": ["transformers"], "cardData": card,
            });
            if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            Reply::json(&v)
        };
        match r.path.as_str() {
            "/api/models/acme/widget-7b" => model(json!({"license": "apache-2.0"}), json!({})),
            "/api/models/acme/nc-net" => model(json!({"license": "cc-by-nc-4.0"}), json!({})),
            // A fine-tune of a Llama labelled Apache: the base's license passes on.
            "/api/models/acme/tuned-x" => model(
                json!({"license": "apache-2.0", "base_model": "meta-llama/Llama-3.1-8B"}),
                json!({}),
            ),
            // A fine-tune (MIT) of a base no rule knows, non-commercial on the Hub.
            "/api/models/acme/tuned-y" => model(
                json!({"license": "mit", "base_model": ["acme/nc-net"]}),
                json!({}),
            ),
            "/api/models/acme/custom-net" => model(
                json!({"license": "other", "license_name": "acme-custom-license", "license_link": "LICENSE"}),
                json!({"gated": "manual"}),
            ),
            // Lineage that loops: answered, and no request repeats.
            "/api/models/acme/loop-a" => model(json!({"base_model": "acme/loop-b"}), json!({})),
            "/api/models/acme/loop-b" => model(json!({"base_model": "acme/loop-a"}), json!({})),
            "/api/models/acme/private-net" => Reply::new(401, r#"{"error":"Invalid credentials"}"#),
            "/api/models/acme/broken-net" => {
                Reply::new(200, "{\"id\": \"acme/broken-net\", \"cardData\": {")
            }
            // Renamed: the Hub redirects to the new id.
            "/api/models/acme/old-name" => {
                Reply::new(307, "").with("Location", "/api/models/acme/widget-7b")
            }
            _ => Reply::new(404, r#"{"error":"Repository not found"}"#),
        }
    })
}

const APP: &str = r#"from transformers import AutoModel
a = AutoModel.from_pretrained("acme/widget-7b")
b = AutoModel.from_pretrained("acme/tuned-x")
c = AutoModel.from_pretrained("acme/tuned-y")
d = AutoModel.from_pretrained("acme/custom-net")
e = AutoModel.from_pretrained("acme/missing-net")
f = AutoModel.from_pretrained("acme/private-net")
g = AutoModel.from_pretrained("acme/loop-a")
h = AutoModel.from_pretrained("acme/broken-net")
i = AutoModel.from_pretrained("acme/old-name")
j = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")
"#;

fn project(dir: &Path) {
    std::fs::write(dir.join("app.py"), APP).expect("write app.py");
}

/// Runs fineprint in `dir` with the Hub at `endpoint` and the cache in `cache`.
fn fineprint(dir: &Path, endpoint: &str, cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(args)
        .current_dir(dir)
        .env("HF_ENDPOINT", endpoint)
        .env("FINEPRINT_CACHE_DIR", cache)
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env_remove("HF_TOKEN")
        .env_remove("XDG_CACHE_HOME")
        .output()
        .expect("run fineprint")
}

/// `model id -> (license, source, codes, evidence verdict)` of a JSON report.
fn by_model(
    out: &Output,
) -> std::collections::BTreeMap<String, (Value, Value, Vec<String>, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut m = std::collections::BTreeMap::new();
    for r in v["references"].as_array().expect("references") {
        let codes = r["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect();
        m.insert(
            r["text"].as_str().unwrap_or("").to_string(),
            (
                r["license"].clone(),
                r["source"].clone(),
                codes,
                r["evidence"]["verdict"].as_str().unwrap_or("").to_string(),
            ),
        );
    }
    m
}

/// (reference, license, source, finding codes, words the evidence's verdict holds)
type Case<'a> = (&'a str, Value, Value, &'a [&'a str], &'a [&'a str]);

#[test]
fn check_online_then_offline_from_the_cache() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, cache) = (tmp.path().join("p"), tmp.path().join("cache"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    project(&dir);
    let mut server = hub();
    let url = server.url();
    let online = fineprint(
        &dir,
        &url,
        &cache,
        &["check", "--online", "--format", "json"],
    );
    let got = by_model(&online);
    let stderr = String::from_utf8_lossy(&online.stderr);
    let cases: &[Case] = &[
        (
            "acme/widget-7b",
            json!("apache-2.0"),
            json!("hub"),
            &[],
            &["declares `apache-2.0`", "fetched"],
        ),
        (
            "acme/tuned-x",
            json!("llama3.1"),
            json!("hub"),
            &["license-mismatch", "commercial-threshold"],
            &["meta-llama/Llama-3.1-8B"],
        ),
        (
            "acme/tuned-y",
            json!("cc-by-nc-4.0"),
            json!("hub"),
            &["non-commercial", "license-mismatch"],
            &["acme/nc-net"],
        ),
        (
            "acme/custom-net",
            json!(null),
            json!(null),
            &["unknown-license"],
            &["acme-custom-license", "gated", "approved by the authors"],
        ),
        (
            "acme/missing-net",
            json!(null),
            json!(null),
            &["unknown-license"],
            &["404"],
        ),
        (
            "acme/private-net",
            json!(null),
            json!(null),
            &["unknown-license"],
            &["HF_TOKEN"],
        ),
        (
            "acme/loop-a",
            json!(null),
            json!(null),
            &["unknown-license"],
            &["no license"],
        ),
        (
            "acme/broken-net",
            json!(null),
            json!(null),
            &["unknown-license"],
            &[],
        ),
        (
            "acme/old-name",
            json!("apache-2.0"),
            json!("hub"),
            &[],
            &["declares `apache-2.0`"],
        ),
        (
            "meta-llama/Llama-3.1-8B",
            json!("llama3.1"),
            json!("rules"),
            &["commercial-threshold"],
            &[],
        ),
    ];
    for (id, license, source, codes, words) in cases {
        let (l, s, c, verdict) = got.get(*id).unwrap_or_else(|| panic!("{id} not reported"));
        assert_eq!((l, s), (license, source), "{id}: {verdict}");
        for code in *codes {
            assert!(c.iter().any(|x| x == code), "{id}: {code} not in {c:?}");
        }
        for w in *words {
            assert!(
                verdict.contains(w),
                "{id}: `{w}` not in the verdict: {verdict}"
            );
        }
    }
    assert!(
        stderr.contains("broken-net") && stderr.contains("not valid JSON"),
        "{stderr}"
    );
    // Only model ids were asked, each once (lineage included; the rules' model never),
    // plus the redirect of the renamed id to its new name.
    let mut paths = server.paths();
    paths.sort();
    let mut want: Vec<String> = [
        "acme/broken-net",
        "acme/custom-net",
        "acme/loop-a",
        "acme/loop-b",
        "acme/missing-net",
        "acme/nc-net",
        "acme/old-name",
        "acme/private-net",
        "acme/tuned-x",
        "acme/tuned-y",
        "acme/widget-7b",
        "acme/widget-7b",
    ]
    .iter()
    .map(|id| format!("/api/models/{id}"))
    .collect();
    want.sort();
    assert_eq!(paths, want);

    // The server is gone: the same answers come from the cache, without a request.
    server.stop();
    let offline = fineprint(
        &dir,
        &url,
        &cache,
        &["check", "--online", "--format", "json"],
    );
    let again = by_model(&offline);
    for (id, ..) in cases {
        if *id == "acme/broken-net" {
            continue; // not cached: a malformed answer is not an answer
        }
        assert_eq!(
            again.get(*id).map(|x| (&x.0, &x.1, &x.2)),
            got.get(*id).map(|x| (&x.0, &x.1, &x.2)),
            "{id}"
        );
    }
    let stderr = String::from_utf8_lossy(&offline.stderr);
    assert!(
        stderr.contains("offline"),
        "a clear message for the one fetch that failed: {stderr}"
    );

    // Without --online, nothing is read from the cache nor asked.
    let plain = by_model(&fineprint(
        &dir,
        &url,
        &cache,
        &["check", "--format", "json"],
    ));
    assert_eq!(plain["acme/widget-7b"].0, json!(null));
}

#[test]
fn stale_entries_are_refreshed_and_kept_when_the_refresh_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, cache) = (tmp.path().join("p"), tmp.path().join("cache"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("a.py"),
        "AutoModel.from_pretrained(\"acme/widget-7b\")\n",
    )
    .expect("write");
    // Every answer is stale at once.
    std::fs::write(
        dir.join("fineprint.toml"),
        "online = true\nonline_max_age_days = 0\n",
    )
    .expect("write");
    let mut server = hub();
    let url = server.url();
    for _ in 0..2 {
        let out = fineprint(&dir, &url, &cache, &["check", "--format", "json"]);
        assert_eq!(by_model(&out)["acme/widget-7b"].0, json!("apache-2.0"));
    }
    assert_eq!(server.paths().len(), 2, "a stale entry is fetched again");
    server.stop();
    let out = fineprint(&dir, &url, &cache, &["check", "--format", "json"]);
    assert_eq!(
        by_model(&out)["acme/widget-7b"].0,
        json!("apache-2.0"),
        "the older answer stays"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not refresh `acme/widget-7b`"),
        "{stderr}"
    );
    // A corrupt entry is ignored with a message.
    let entry = cache.join("hub/models--acme--widget-7b.json");
    std::fs::write(&entry, "{ not json").expect("write");
    let out = fineprint(&dir, &url, &cache, &["check", "--format", "json"]);
    assert_eq!(by_model(&out)["acme/widget-7b"].0, json!(null));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("corrupt") && stderr.contains("ignored"),
        "{stderr}"
    );
}

#[test]
fn sync_prefetches_a_project() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, cache) = (tmp.path().join("p"), tmp.path().join("cache"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    project(&dir);
    let mut server = hub();
    let url = server.url();
    let out = fineprint(&dir, &url, &cache, &["sync", "."]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("fetched  acme/widget-7b: license apache-2.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fetched  acme/custom-net: license other (acme-custom-license)"),
        "{stdout}"
    );
    assert!(stdout.contains("failed   acme/broken-net"), "{stdout}");
    assert_eq!(out.status.code(), Some(1), "a failed fetch fails sync");
    // Lineage was fetched too.
    assert!(
        server
            .paths()
            .contains(&"/api/models/acme/nc-net".to_string())
    );
    let n = server.paths().len();
    // Again: all from the cache but the malformed one.
    let out = fineprint(&dir, &url, &cache, &["sync", "."]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cached   acme/widget-7b"), "{stdout}");
    assert_eq!(server.paths().len(), n + 1, "{:?}", server.paths());
    // Offline: a clear error, at once.
    server.stop();
    std::fs::remove_dir_all(&cache).expect("rm cache");
    let start = std::time::Instant::now();
    let out = fineprint(&dir, &url, &cache, &["sync", "."]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("offline: cannot connect"), "{stdout}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "no hang"
    );
}

#[test]
fn hub_license_ids_are_the_rules_ids_or_aliases() {
    let kb = fineprint::kb::KnowledgeBase::builtin().expect("built-in rules");
    // (the Hub's `license` value, the rules' license it is judged with)
    for (hub_id, rules_id) in [
        ("apache-2.0", Some("apache-2.0")),
        ("mit", Some("mit")),
        ("llama3.1", Some("llama3.1")),
        ("llama3.2", Some("llama3.2")),
        ("gemma", Some("gemma")),
        ("cc-by-nc-4.0", Some("cc-by-nc-4.0")),
        ("openrail++", Some("openrail++")),
        ("Apache-2.0", Some("apache-2.0")),
        ("acme-custom-license", None),
        ("other", None),
    ] {
        let got = kb.license(hub_id).map(|l| l.id.as_str());
        assert_eq!(got, rules_id, "{hub_id}");
    }
}

#[test]
fn policy_keys() {
    let kb = fineprint::kb::KnowledgeBase::builtin().expect("built-in rules");
    let path = Path::new("fineprint.toml");
    // (policy text, Ok((online, max age)) or words of the error)
    for (text, want) in [
        ("", Ok((false, None))),
        ("online = true", Ok((true, None))),
        (
            "online = false\nonline_max_age_days = 7",
            Ok((false, Some(7))),
        ),
        ("online = \"yes\"", Err("online")),
        ("online_max_age_days = -1", Err("online_max_age_days")),
        ("onlin = true", Err("onlin")),
    ] {
        let got = fineprint::policy::Policy::parse(text, path, &kb)
            .map(|p| (p.online, p.online_max_age_days));
        match (got, want) {
            (Ok(g), Ok(w)) => assert_eq!(g, w, "{text}"),
            (Err(e), Err(words)) => assert!(e.to_string().contains(words), "{text}: {e}"),
            (g, w) => panic!("{text}: got {g:?}, want {w:?}"),
        }
    }
}
