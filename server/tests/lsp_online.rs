//! Online resolution in the language server, over real JSON-RPC: the first
//! diagnostics come at once from what is known (the Hub answers slowly), a hover
//! meanwhile is answered without waiting, and when the answer arrives the document is
//! re-published with the Hub's license; the hover card then names the Hub and the
//! fetch date.

mod common;
#[path = "common/http.rs"]
mod http;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use common::{Client, file_uri};
use http::{Reply, Server};
use serde_json::{Value, json};

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn answers_arrive_in_the_background() {
    let slow = Duration::from_millis(1500);
    let hub = Server::start(move |r| match r.path.as_str() {
        "/api/models/acme/widget-7b" => Reply::json(&json!({
            "id": "acme/widget-7b", "sha": "0123456789abcdef", "gated": false,
            "cardData": {"license": "cc-by-nc-4.0"}
        }))
        .after(slow),
        _ => Reply::new(404, ""),
    });
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let endpoint = hub.url();
    let mut c = Client::start_with_env(
        tmp.path(),
        &[
            ("FINEPRINT_NO_EVIDENCE", OsStr::new("1")),
            ("HF_ENDPOINT", OsStr::new(&endpoint)),
            ("FINEPRINT_CACHE_DIR", cache.as_os_str()),
        ],
    );
    c.initialize(
        tmp.path(),
        common::vscode_capabilities(),
        json!({"fineprint": {"online": true}}),
    );
    let path = tmp.path().join("app.py");
    let uri = file_uri(&path);
    let text =
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"acme/widget-7b\")\n";
    std::fs::write(&path, text).expect("write");
    let opened = Instant::now();
    c.open(&uri, "python", text);

    // At once: unknown, from the offline knowledge; the fetch is under way.
    let first = c.diagnostics(&uri, Some(1));
    assert_eq!(codes(&first), ["unknown-license"]);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 35}}),
    );
    assert!(
        opened.elapsed() < slow,
        "the first diagnostics and a hover did not wait for the Hub ({:?})",
        opened.elapsed()
    );
    assert!(hover.get("error").is_none(), "{hover}");

    // Then: the Hub's answer, re-published.
    let later = c.diagnostics_until(&uri, |d| codes(d).iter().any(|x| x == "non-commercial"));
    assert!(
        !codes(&later).iter().any(|x| x == "unknown-license"),
        "{later}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 35}}),
    );
    let card = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(card.contains("On the Hugging Face Hub"), "{card}");
    assert!(card.contains("fetched"), "{card}");
    assert_eq!(hub.paths(), ["/api/models/acme/widget-7b"]);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn off_by_default() {
    let hub = Server::start(|_| Reply::new(404, ""));
    let tmp = tempfile::tempdir().expect("tempdir");
    let endpoint = hub.url();
    let mut c = Client::start_with_env(
        tmp.path(),
        &[
            ("FINEPRINT_NO_EVIDENCE", OsStr::new("1")),
            ("HF_ENDPOINT", OsStr::new(&endpoint)),
            ("FINEPRINT_CACHE_DIR", tmp.path().join("cache").as_os_str()),
        ],
    );
    c.initialize(tmp.path(), common::vscode_capabilities(), json!({}));
    let uri = file_uri(&tmp.path().join("app.py"));
    c.open(
        &uri,
        "python",
        "AutoModel.from_pretrained(\"acme/widget-7b\")\n",
    );
    assert_eq!(codes(&c.diagnostics(&uri, Some(1))), ["unknown-license"]);
    c.collect(Duration::from_millis(500));
    assert!(
        hub.paths().is_empty(),
        "asked the Hub without being told to"
    );
    assert_eq!(c.shutdown(), Some(0));
}
