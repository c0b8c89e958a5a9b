//! `initialize`: negotiate the position encoding, read the client's capabilities and
//! settings, find the workspace root, and declare what fineprint offers.

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::convert;
use crate::lsp::state::{Caps, Settings};

/// Commands the server executes.
pub const COMMANDS: &[&str] = &[
    "fineprint.openLicense",
    "fineprint.explain",
    "fineprint.addException",
    "fineprint.select",
    "fineprint.scanWorkspace",
];

/// Handles `initialize`; `None` if it panicked.
pub fn run(b: &Backend, params: InitializeParams) -> Option<InitializeResult> {
    let caps = &params.capabilities;
    let enc = convert::negotiate(
        caps.general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let watch = caps
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let progress = caps
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    let show_document = caps
        .window
        .as_ref()
        .and_then(|w| w.show_document.as_ref())
        .is_some_and(|s| s.support);
    let inlay_refresh = caps
        .workspace
        .as_ref()
        .and_then(|w| w.inlay_hint.as_ref())
        .and_then(|i| i.refresh_support)
        .unwrap_or(false);
    let create_files = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.resource_operations.as_ref())
        .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
    let pull_refresh = caps
        .workspace
        .as_ref()
        .and_then(|w| w.diagnostics.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false);
    // Pull only when the client can be told to pull again (a policy change re-judges
    // every open document); Neovim 0.11 pulls but has no refresh: push to it.
    let pull = pull_refresh
        && caps
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref())
            .is_some();
    #[allow(deprecated)]
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| f.uri.to_file_path())
        .or_else(|| params.root_uri.as_ref().and_then(|u| u.to_file_path()))
        .map(|p| p.into_owned())
        .filter(|p| p.is_dir());
    let mut unknown = Vec::new();
    let settings = params
        .initialization_options
        .as_ref()
        .map(|o| parse_settings(o, &mut unknown))
        .unwrap_or_default();
    for k in &unknown {
        tracing::warn!(key = %k, "unknown setting ignored");
    }
    if let Some(level) = &settings.log_level {
        b.set_log_level(level);
    }
    if let Some(pid) = params.process_id {
        watch_parent(pid);
    }
    b.with_state(|s| {
        s.encoding = enc;
        s.caps = Caps {
            watch_files: watch,
            progress,
            inlay_refresh,
            create_files,
            show_document,
            pull,
            pull_refresh,
        };
        s.root = root.clone();
        s.settings = settings;
        s.initialized = true;
    })?;
    tracing::info!(encoding = ?enc, root = ?root, "initialized");
    Some(InitializeResult {
        server_info: Some(ServerInfo {
            name: "fineprint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(enc)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            // Jupyter notebooks' Python and Markdown cells, each a document of its own.
            notebook_document_sync: Some(OneOf::Left(NotebookDocumentSyncOptions {
                notebook_selector: vec![NotebookSelector::ByNotebook {
                    notebook: Notebook::String("jupyter-notebook".into()),
                    cells: Some(vec![
                        NotebookCellSelector {
                            language: "python".into(),
                        },
                        NotebookCellSelector {
                            language: "markdown".into(),
                        },
                    ]),
                }],
                save: None,
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new("quickfix.fineprint"),
                ]),
                ..CodeActionOptions::default()
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: COMMANDS.iter().map(|c| (*c).to_string()).collect(),
                ..ExecuteCommandOptions::default()
            }),
            document_link_provider: Some(DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("fineprint".into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })
            }),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec!["\"".into(), "'".into()]),
                ..CompletionOptions::default()
            }),
            ..ServerCapabilities::default()
        },
        offset_encoding: None,
    })
}

/// Reads settings from `{ "fineprint": { ... } }` or `{ ... }`; unknown keys are
/// collected, wrong types fall back to the default for that key only.
pub fn parse_settings(v: &serde_json::Value, unknown: &mut Vec<String>) -> Settings {
    let obj = v.get("fineprint").unwrap_or(v);
    let Some(map) = obj.as_object() else {
        return Settings::default();
    };
    let mut s = Settings::default();
    for (k, val) in map {
        match k.as_str() {
            "inlayHints" => s.inlay_hints = val.as_bool().unwrap_or(true),
            "logLevel" => s.log_level = val.as_str().map(str::to_string),
            "rules" => {
                s.rules = val
                    .as_str()
                    .filter(|x| !x.is_empty())
                    .map(std::path::PathBuf::from)
            }
            "online" => s.online = val.as_bool().unwrap_or(false),
            "scan" => match val.as_object() {
                Some(scan) => {
                    for (k, v) in scan {
                        match k.as_str() {
                            "workspace" => s.scan_workspace = v.as_bool().unwrap_or(true),
                            "exclude" => {
                                s.scan_exclude = v
                                    .as_array()
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(|g| g.as_str())
                                            .filter(|g| !g.trim().is_empty())
                                            .map(str::to_string)
                                            .collect()
                                    })
                                    .unwrap_or_default();
                            }
                            other => unknown.push(format!("scan.{other}")),
                        }
                    }
                }
                None => unknown.push("scan".into()),
            },
            // Read by the editor's extension (it stops the server), not by the server.
            "trace" | "server" | "enable" => {}
            other => unknown.push(other.to_string()),
        }
    }
    s
}

/// Exits when the editor that started the server dies without saying `exit`.
fn watch_parent(pid: u32) {
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    if !proc_dir.exists() {
        return; // Not Linux, or a pid we cannot see: do nothing.
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            if !proc_dir.exists() {
                tracing::info!(pid, "the editor process is gone; exiting");
                std::process::exit(0);
            }
        }
    });
}
