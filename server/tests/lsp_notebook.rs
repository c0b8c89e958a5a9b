//! Notebooks (LSP 3.17 notebook document sync), the `scan` settings and the
//! `fineprint/models` request, over a real process's stdio.

mod common;

use common::{Client, file_uri, neovim_capabilities, vscode_capabilities, workspace};
use serde_json::{Value, json};

/// The notebook on disk: a Markdown cell, then a code cell loading FLUX.1 [dev] on
/// its second line.
const NOTEBOOK: &str = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["from diffusers import FluxPipeline\n", "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n"]}
 ],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5
}
"##;
const MD_CELL: &str = "# Explore\n";
const CODE_CELL: &str = "from diffusers import FluxPipeline\npipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";

fn cell_uri(nb: &str, n: u32) -> String {
    format!(
        "vscode-notebook-cell:{}#C{n}",
        nb.trim_start_matches("file://")
    )
}

fn open_notebook(c: &mut Client, nb: &str, cells: &[(&str, &str, u32)]) {
    let kinds: Vec<Value> = cells
        .iter()
        .map(|(lang, _, n)| json!({"kind": if *lang == "markdown" { 1 } else { 2 }, "document": cell_uri(nb, *n)}))
        .collect();
    let docs: Vec<Value> = cells
        .iter()
        .map(|(lang, text, n)| json!({"uri": cell_uri(nb, *n), "languageId": lang, "version": 1, "text": text}))
        .collect();
    c.notify(
        "notebookDocument/didOpen",
        json!({"notebookDocument": {"uri": nb, "notebookType": "jupyter-notebook", "version": 1, "cells": kinds},
               "cellTextDocuments": docs}),
    );
}

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| format!("{} {}", d["severity"], d["code"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

/// The range of the `non-commercial` diagnostic among `diags`.
fn range(diags: &Value) -> (u64, u64, u64, u64) {
    let none = Value::Null;
    let d = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "non-commercial"))
        .unwrap_or(&none);
    let r = &d["range"];
    let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    (
        n(&r["start"]["line"]),
        n(&r["start"]["character"]),
        n(&r["end"]["line"]),
        n(&r["end"]["character"]),
    )
}

/// Opening, editing, restructuring and closing a notebook: diagnostics, hover and
/// inlay hints per cell, at cell positions; the file's JSON diagnostics withdrawn
/// while it is open and back after.
#[test]
fn notebook_cells_are_documents_at_cell_positions() {
    let ws = workspace(&[("nb/explore.ipynb", NOTEBOOK)]);
    let nb = file_uri(&ws.path().join("nb/explore.ipynb"));
    let mut c = Client::start(ws.path());
    let init = c.initialize(ws.path(), neovim_capabilities(), json!({}));
    let sync = &init["result"]["capabilities"]["notebookDocumentSync"];
    assert_eq!(
        sync["notebookSelector"][0]["notebook"], "jupyter-notebook",
        "{init}"
    );
    assert_eq!(
        sync["notebookSelector"][0]["cells"],
        json!([{"language": "python"}, {"language": "markdown"}])
    );
    // The start-up scan reads the file as JSON: the finding sits on its raw line.
    let disk = c.diagnostics_until(&nb, |d| !codes(d).is_empty());
    assert!(
        codes(&disk).contains(&"1 non-commercial".to_string()),
        "{disk}"
    );
    assert_eq!(range(&disk).0, 4, "raw JSON line: {disk}");

    open_notebook(
        &mut c,
        &nb,
        &[("markdown", MD_CELL, 0), ("python", CODE_CELL, 1)],
    );
    let code = cell_uri(&nb, 1);
    let diags = c.diagnostics_until(&code, |d| !codes(d).is_empty());
    assert!(
        codes(&diags).contains(&"1 non-commercial".to_string()),
        "{diags}"
    );
    // UTF-8 was negotiated (Neovim): columns are bytes of the cell's own text.
    assert_eq!(range(&diags), (1, 37, 1, 65), "{diags}");
    // The JSON's diagnostics are withdrawn while the notebook is open.
    let withdrawn = c.diagnostics_until(&nb, |d| d.as_array().is_some_and(Vec::is_empty));
    assert_eq!(withdrawn, json!([]));

    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": code}, "position": {"line": 1, "character": 50}}),
    );
    let card = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        card.contains("FLUX.1 [dev] Non-Commercial License"),
        "{hover}"
    );
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": code}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}}),
    );
    // After the closing quote: `...FLUX.1-dev"` ends at byte 66 of line 1.
    assert_eq!(
        hints["result"][0]["position"],
        json!({"line": 1, "character": 66}),
        "{hints}"
    );
    let err = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "non-commercial"))
        .cloned()
        .unwrap_or(Value::Null);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": code}, "range": err["range"], "context": {"diagnostics": [err]}}),
    );
    assert!(
        actions["result"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["title"]
                .as_str()
                .unwrap_or("")
                .starts_with("Add a policy exception for FLUX.1-dev"))),
        "{actions}"
    );

    // Typing in the cell: `dev` becomes `schnell` (Apache-2.0): the error goes.
    c.notify(
        "notebookDocument/didChange",
        json!({"notebookDocument": {"uri": nb, "version": 2}, "change": {"cells": {"textContent": [
            {"document": {"uri": code, "version": 2},
             "changes": [{"range": {"start": {"line": 1, "character": 62}, "end": {"line": 1, "character": 65}}, "text": "schnell"}]}
        ]}}}),
    );
    let fixed = c.diagnostics(&code, Some(2));
    assert!(
        !codes(&fixed).contains(&"1 non-commercial".to_string()),
        "{fixed}"
    );

    // A new cell, inserted after the first: its own URI, its own positions.
    let added = cell_uri(&nb, 2);
    c.notify(
        "notebookDocument/didChange",
        json!({"notebookDocument": {"uri": nb, "version": 3}, "change": {"cells": {"structure": {
            "array": {"start": 1, "deleteCount": 0, "cells": [{"kind": 2, "document": added}]},
            "didOpen": [{"uri": added, "languageId": "python", "version": 1,
                         "text": "m = AutoModel.from_pretrained(\"mistralai/Codestral-22B-v0.1\")\n"}]
        }}}}),
    );
    let d = c.diagnostics_until(&added, |d| !codes(d).is_empty());
    assert!(codes(&d).contains(&"1 non-commercial".to_string()), "{d}");
    assert_eq!(range(&d), (0, 31, 0, 59), "{d}");
    // Removing it clears its diagnostics.
    c.notify(
        "notebookDocument/didChange",
        json!({"notebookDocument": {"uri": nb, "version": 4}, "change": {"cells": {"structure": {
            "array": {"start": 1, "deleteCount": 1},
            "didClose": [{"uri": added}]
        }}}}),
    );
    assert_eq!(
        c.diagnostics_until(&added, |d| d.as_array().is_some_and(Vec::is_empty)),
        json!([])
    );
    let gone = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": added}, "position": {"line": 0, "character": 40}}),
    );
    assert_eq!(gone["result"], Value::Null, "{gone}");

    // Closing the notebook: its cells are cleared and the file's JSON findings return.
    c.notify(
        "notebookDocument/didClose",
        json!({"notebookDocument": {"uri": nb}, "cellTextDocuments": [{"uri": cell_uri(&nb, 0)}, {"uri": code}]}),
    );
    assert_eq!(
        c.diagnostics_until(&code, |d| d.as_array().is_some_and(Vec::is_empty)),
        json!([])
    );
    let back = c.diagnostics_until(&nb, |d| !codes(d).is_empty());
    assert!(
        codes(&back).contains(&"1 non-commercial".to_string()),
        "{back}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// A client that pulls (VS Code) never pulls for cells: they are pushed to it, in
/// UTF-16, and the notebook's file gets an empty pulled report while it is open.
#[test]
fn cells_are_pushed_to_a_client_that_pulls() {
    let ws = workspace(&[("explore.ipynb", NOTEBOOK)]);
    let nb = file_uri(&ws.path().join("explore.ipynb"));
    let mut c = Client::start(ws.path());
    let mut caps = vscode_capabilities();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    c.initialize(ws.path(), caps, json!({}));
    // A non-BMP character before the id: UTF-16 counts it as two.
    let text = "x = '😀'; pipe = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";
    open_notebook(&mut c, &nb, &[("python", text, 7)]);
    let cell = cell_uri(&nb, 7);
    let d = c.diagnostics_until(&cell, |d| !codes(d).is_empty());
    assert!(codes(&d).contains(&"1 non-commercial".to_string()), "{d}");
    assert_eq!(
        range(&d),
        (0, 34, 0, 62),
        "UTF-16 (33 characters before it): {d}"
    );
    let pulled = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": nb}}),
    );
    assert_eq!(pulled["result"]["items"], json!([]), "{pulled}");
    let all = c.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let file = all["result"]["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["uri"] == nb.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(file["items"], json!([]), "{all}");
    assert_eq!(c.shutdown(), Some(0));
}

/// The verdict and uses of one model in a `fineprint/models` answer.
fn model<'a>(answer: &'a Value, id: &str) -> Option<&'a Value> {
    answer["result"]["models"]
        .as_array()?
        .iter()
        .find(|m| m["id"] == id)
}

/// `fineprint/models` lists every model of the workspace (open documents, cells and
/// the last scan) with its license and verdict, most severe first; the `scan` settings
/// leave files out of the scan.
#[test]
fn models_request_and_scan_settings() {
    let ws = workspace(&[
        (
            "train.py",
            "base = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
        ),
        ("vendor/x.yaml", "base_model: Qwen/Qwen2.5-72B-Instruct\n"),
        (
            "ok.py",
            "m = from_pretrained(\"google-bert/bert-base-uncased\")\n",
        ),
    ]);
    // Table: settings, then whether the vendored YAML and train.py are listed.
    let cases: &[(Value, bool, bool)] = &[
        (json!({}), true, true),
        (json!({"scan": {"exclude": ["vendor/**"]}}), false, true),
        (json!({"scan": {"workspace": false}}), false, false),
        // A glob that does not compile is logged and left out: the scan runs without it.
        (json!({"scan": {"exclude": ["vendor/[x"]}}), true, true),
    ];
    for (settings, vendor, train) in cases {
        let mut c = Client::start(ws.path());
        c.initialize(ws.path(), neovim_capabilities(), settings.clone());
        let app = file_uri(&ws.path().join("app.py"));
        c.open(
            &app,
            "python",
            "a = \"gpt-4o\"\nb = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
        );
        c.diagnostics_until(&app, |d| !codes(d).is_empty());
        if *train {
            c.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
                .expect("the scan ends");
        }
        let answer = c.request("fineprint/models", Value::Null);
        assert!(answer.get("error").is_none(), "{answer}");
        assert_eq!(answer["result"]["scanned"], *train, "{settings}: {answer}");
        let flux = model(&answer, "black-forest-labs/FLUX.1-dev").expect("FLUX listed");
        assert_eq!(flux["verdict"], "error", "{flux}");
        assert_eq!(flux["license"]["id"], "flux-1-dev-non-commercial-license");
        assert_eq!(
            flux["uses"],
            if *train { 2 } else { 1 },
            "{settings}: {flux}"
        );
        assert_eq!(flux["locations"][0]["uri"], app.as_str());
        assert_eq!(
            flux["locations"][0]["range"]["start"],
            json!({"line": 1, "character": 21})
        );
        assert_eq!(
            answer["result"]["models"][0]["verdict"], "error",
            "most severe first: {answer}"
        );
        assert_eq!(
            model(&answer, "Qwen/Qwen2.5-72B-Instruct").is_some(),
            *vendor,
            "{settings}: {answer}"
        );
        if *train {
            let bert = model(&answer, "google-bert/bert-base-uncased").expect("bert listed");
            assert_eq!(bert["verdict"], "ok", "{bert}");
            assert_eq!(bert["license"]["id"], "apache-2.0");
        }
        assert!(model(&answer, "gpt-4o").is_some(), "{answer}");
        // The request takes no parameters (or null); an object is refused.
        let bad = c.request("fineprint/models", json!({"x": 1}));
        assert_eq!(bad["error"]["code"], -32602, "{bad}");
        assert_eq!(c.shutdown(), Some(0));
    }
}
