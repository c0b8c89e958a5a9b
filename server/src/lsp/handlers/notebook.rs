//! `notebookDocument/didOpen`, `didChange` and `didClose` (LSP 3.17 notebook sync):
//! each cell of an open notebook is a document of its own, under the cell's URI, of
//! the kind its language says (`python`: Python, `markdown`: Markdown; other cells are
//! kept but not read). Diagnostics, hovers, inlay hints and code actions then work per
//! cell, at cell positions, through the same paths as any open document.
//!
//! Invariants:
//! * A cell enters `State::docs` only through a notebook's `didOpen` or a structure
//!   change's `didOpen`, and leaves only through the notebook's `didClose` or a
//!   structure change's `didClose`; `State::cell_of` names its notebook meanwhile.
//! * While a notebook is open, the diagnostics of its file as JSON (the workspace
//!   scan's) are withdrawn: its cells carry them. When it closes, its cells'
//!   diagnostics are cleared and the file's come back.
//! * Cells' diagnostics are pushed, also to a client that pulls the others' (VS
//!   Code's client never pulls for cells).
//! * A cell's `[[paths]]` rule and evidence are the notebook file's
//!   ([`crate::lsp::state::State::disk_path`]).

use tower_lsp_server::ls_types::*;

use crate::detect::FileKind;
use crate::document::Document;
use crate::lsp::Backend;
use crate::lsp::state::{Notebook, Open, State};

/// The kind a cell's text is read as, from its language id.
fn cell_kind(language: &str) -> Option<FileKind> {
    match language {
        "python" => Some(FileKind::Python),
        "markdown" => Some(FileKind::Markdown),
        _ => None,
    }
}

/// Adds a cell document to the state, for `notebook`.
fn open_cell(s: &mut State, notebook: &Uri, item: TextDocumentItem) {
    let doc = Document::new(item.text, cell_kind(&item.language_id), &s.kb);
    s.docs.insert(
        item.uri.clone(),
        Open {
            doc,
            version: item.version,
        },
    );
    s.cell_of.insert(item.uri.clone(), notebook.clone());
    s.attach_evidence(&item.uri);
}

/// Removes a cell document from the state.
fn close_cell(s: &mut State, cell: &Uri) {
    s.docs.remove(cell);
    s.cell_of.remove(cell);
}

/// Handles `notebookDocument/didOpen`.
pub async fn did_open(b: &Backend, params: DidOpenNotebookDocumentParams) {
    let nb = params.notebook_document;
    let uri = nb.uri.clone();
    let cells: Vec<Uri> = params
        .cell_text_documents
        .iter()
        .map(|c| c.uri.clone())
        .collect();
    let pull = b
        .with_state(|s| {
            let path = uri.to_file_path().map(std::borrow::Cow::into_owned);
            s.notebooks.insert(
                uri.clone(),
                Notebook {
                    path,
                    cells: nb.cells.iter().map(|c| c.document.clone()).collect(),
                },
            );
            for item in params.cell_text_documents {
                open_cell(s, &uri, item);
            }
            s.disk_published.remove(&uri);
            s.caps.pull
        })
        .unwrap_or(false);
    // What the workspace scan said about the file as JSON no longer shows.
    if pull {
        b.publish_all().await; // asks the client to pull again
    } else {
        b.push_diagnostics(uri, Vec::new(), None).await;
    }
    for cell in cells {
        b.schedule(cell);
    }
}

/// Handles `notebookDocument/didChange`: cells added and removed, cell text edits.
pub async fn did_change(b: &Backend, params: DidChangeNotebookDocumentParams) {
    let uri = params.notebook_document.uri;
    let Some(cells) = params.change.cells else {
        return; // Metadata only: nothing fineprint reads.
    };
    let mut due = Vec::new();
    let mut closed = Vec::new();
    b.with_state(|s| {
        if !s.notebooks.contains_key(&uri) {
            tracing::warn!(
                uri = uri.as_str(),
                "change for a notebook that is not open; ignored"
            );
            return;
        }
        if let Some(structure) = cells.structure {
            for id in structure.did_close.unwrap_or_default() {
                close_cell(s, &id.uri);
                closed.push(id.uri);
            }
            for item in structure.did_open.unwrap_or_default() {
                due.push(item.uri.clone());
                open_cell(s, &uri, item);
            }
            if let Some(nb) = s.notebooks.get_mut(&uri) {
                let a = structure.array;
                let start = (a.start as usize).min(nb.cells.len());
                let end = start
                    .saturating_add(a.delete_count as usize)
                    .min(nb.cells.len());
                let new = a.cells.unwrap_or_default().into_iter().map(|c| c.document);
                nb.cells.splice(start..end, new);
            }
        }
        for content in cells.text_content.unwrap_or_default() {
            let cell = content.document.uri;
            if s.apply_changes(&cell, content.document.version, content.changes) {
                due.push(cell);
            }
        }
    });
    for cell in closed {
        b.push_diagnostics(cell, Vec::new(), None).await;
    }
    for cell in due {
        b.schedule(cell);
    }
}

/// Handles `notebookDocument/didClose`.
pub async fn did_close(b: &Backend, params: DidCloseNotebookDocumentParams) {
    let uri = params.notebook_document.uri;
    let (cells, path) = b
        .with_state(|s| {
            let nb = s.notebooks.remove(&uri);
            let mut cells: Vec<Uri> = params
                .cell_text_documents
                .into_iter()
                .map(|c| c.uri)
                .collect();
            // Cells the client did not list, closed with their notebook all the same.
            let listed: Vec<Uri> = s
                .cell_of
                .iter()
                .filter(|(_, n)| **n == uri)
                .map(|(c, _)| c.clone())
                .collect();
            for c in listed {
                if !cells.contains(&c) {
                    cells.push(c);
                }
            }
            for c in &cells {
                close_cell(s, c);
            }
            (cells, nb.and_then(|n| n.path))
        })
        .unwrap_or_default();
    // Cells are pushed in any mode (see `analysis.rs`): clear them in any mode.
    for cell in cells {
        b.push_diagnostics(cell, Vec::new(), None).await;
    }
    if b.with_state(|s| s.caps.pull).unwrap_or(false) {
        b.publish_all().await; // asks the client to pull again
        return;
    }
    // The file's diagnostics as the workspace scan sees it come back.
    if let Some(path) = path {
        let diags = b
            .with_state(|s| {
                if s.settings.scan_workspace {
                    crate::lsp::diagnostics::of_disk(s, &path)
                } else {
                    Vec::new()
                }
            })
            .unwrap_or_default();
        if !diags.is_empty() {
            b.with_state(|s| s.disk_published.insert(uri.clone()));
        }
        b.push_diagnostics(uri, diags, None).await;
    }
}
