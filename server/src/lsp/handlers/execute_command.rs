//! `workspace/executeCommand`: open a license page; explain a reference; write a policy
//! exception; select a placeholder the user must fill in; re-scan the workspace.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;

/// Opens `uri` in the editor with `range` selected, when the client can.
async fn select(b: &Backend, uri: Uri, range: Range) {
    if !b.with_state(|s| s.caps.show_document).unwrap_or(false) {
        return;
    }
    let shown = b
        .client
        .show_document(ShowDocumentParams {
            uri,
            external: Some(false),
            take_focus: Some(true),
            selection: Some(range),
        })
        .await;
    if let Err(e) = shown {
        tracing::debug!(error = %e, "showDocument failed");
    }
}

/// Handles `executeCommand`.
pub async fn run(b: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        "fineprint.openLicense" => {
            let url = params
                .arguments
                .first()
                .and_then(|v| v.as_str())
                .ok_or_else(|| {
                    Error::invalid_params("expected the license URL as the first argument")
                })?;
            let uri: Uri = url
                .parse()
                .map_err(|_| Error::invalid_params(format!("not a URI: {url}")))?;
            let supported = b.with_state(|s| s.caps.show_document).unwrap_or(false);
            if supported {
                let shown = b
                    .client
                    .show_document(ShowDocumentParams {
                        uri,
                        external: Some(true),
                        take_focus: Some(true),
                        selection: None,
                    })
                    .await;
                if shown.is_ok() {
                    return Ok(None);
                }
            }
            b.client
                .show_message(MessageType::INFO, format!("License: {url}"))
                .await;
            Ok(None)
        }
        "fineprint.explain" => {
            // Arguments: the document URI and a position; answers the card as Markdown
            // (null when there is no model reference there).
            let uri: Uri = params
                .arguments
                .first()
                .and_then(|v| v.as_str())
                .and_then(|u| u.parse().ok())
                .ok_or_else(|| Error::invalid_params("expected [uri, position]"))?;
            let position: Position = params
                .arguments
                .get(1)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or_else(|| Error::invalid_params("expected [uri, position]"))?;
            let hover = crate::lsp::handlers::hover::run(
                b,
                HoverParams {
                    text_document_position_params: TextDocumentPositionParams {
                        text_document: TextDocumentIdentifier { uri },
                        position,
                    },
                    work_done_progress_params: WorkDoneProgressParams::default(),
                },
                true,
            );
            Ok(hover.flatten().and_then(|h| match h.contents {
                HoverContents::Markup(m) => Some(LSPAny::String(m.value)),
                _ => None,
            }))
        }
        "fineprint.addException" => {
            // For clients that cannot create files through a workspace edit: write the
            // exception into the policy file on disk, then apply the new policy.
            let model = params
                .arguments
                .first()
                .and_then(|v| v.as_str())
                .ok_or_else(|| Error::invalid_params("expected the model id"))?;
            let target = b
                .with_state(|s| {
                    s.policy.file.clone().or_else(|| {
                        s.root
                            .as_ref()
                            .map(|r| crate::lsp::policy_file::policy_path(r))
                    })
                })
                .flatten();
            let path = target.ok_or_else(|| {
                Error::invalid_params("no workspace folder to hold fineprint.toml")
            })?;
            let existing = crate::lsp::policy_file::read_existing(&path)
                .map_err(|e| Error::invalid_params(format!("{e}; fix it first")))?;
            let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
            let today = crate::policy::today();
            let filled =
                crate::lsp::policy_edit::exception(existing.as_deref(), model, pyproject, &today)
                    .ok_or_else(|| {
                    Error::invalid_params(format!(
                        "{} is not valid TOML; fix it first",
                        path.display()
                    ))
                })?;
            std::fs::write(&path, &filled.text).map_err(|e| {
                let mut err = Error::internal_error();
                err.message = format!("cannot write {}: {e}", path.display()).into();
                err
            })?;
            // Show the placeholder reason, selected, for the user to type over.
            let selection = b
                .with_state(|s| {
                    let index = crate::text::LineIndex::new(&filled.text);
                    crate::lsp::convert::range(
                        &filled.text,
                        &index,
                        &filled.placeholder,
                        s.encoding,
                    )
                })
                .filter(|_| b.with_state(|s| s.caps.show_document).unwrap_or(false));
            let uri = Uri::from_file_path(&path);
            b.apply_policy(path, Some(filled.text)).await;
            if let (Some(uri), Some(range)) = (uri, selection) {
                select(b, uri, range).await;
            }
            Ok(None)
        }
        "fineprint.select" => {
            // Arguments: a document URI and a range; opens it with the range selected
            // (after a code action wrote a placeholder the user must fill in).
            let uri: Uri = params
                .arguments
                .first()
                .and_then(|v| v.as_str())
                .and_then(|u| u.parse().ok())
                .ok_or_else(|| Error::invalid_params("expected [uri, range]"))?;
            let range: Range = params
                .arguments
                .get(1)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or_else(|| Error::invalid_params("expected [uri, range]"))?;
            select(b, uri, range).await;
            Ok(None)
        }
        "fineprint.scanWorkspace" => {
            b.rescan_workspace().await;
            Ok(None)
        }
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
