//! `textDocument/codeAction` on a model reference:
//! * add an exception for the model to the policy file (created if missing), keeping
//!   the file's comments and formatting, expiring in 90 days, with a placeholder
//!   reason that the editor selects for the user to type over;
//! * declare the fact a threshold finding needs (`monthly_active_users = 0`, the
//!   value selected for the user to type over);
//! * suppress the finding on this line with a comment in the file's own syntax;
//! * replace the model, at every place in the file, with a permissively licensed
//!   alternative, where the rules name one;
//!
//! No action is ever marked preferred: each changes what the project ships or what its
//! policy says, so none is safe to apply without reading it.
//! * open the license.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use crate::check::findings_for;
use crate::detect::FileKind;
use crate::findings::Severity;
use crate::kb::is_permissive;
use crate::lsp::policy_edit::{self, Filled};
use crate::lsp::state::State;
use crate::lsp::{Backend, convert, short};
use crate::resolve::{RefKind, Reference, resolve_str};
use crate::text::LineIndex;

fn action(
    title: String,
    diagnostics: &[Diagnostic],
    edit: Option<WorkspaceEdit>,
    command: Option<Command>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: (!diagnostics.is_empty()).then(|| diagnostics.to_vec()),
        edit,
        command,
        is_preferred: None,
        disabled: None,
        data: None,
    })
}

fn whole(text: &str, index: &LineIndex, enc: crate::text::Encoding) -> Range {
    Range::new(
        Position::new(0, 0),
        convert::position(text, index, text.len(), enc),
    )
}

/// The policy file of the workspace and whether it is a `pyproject.toml`.
fn policy_target(s: &State) -> Option<(std::path::PathBuf, Uri, bool)> {
    let path = s.policy.file.clone().or_else(|| {
        s.root
            .as_ref()
            .map(|r| crate::lsp::policy_file::policy_path(r))
    })?;
    let uri = Uri::from_file_path(&path)?;
    let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    Some((path, uri, pyproject))
}

/// The command that puts the cursor on what the user must fill in, once the edit is
/// applied (`window/showDocument` with a selection); none if the client cannot show it.
fn select_command(
    s: &State,
    uri: &Uri,
    text: &str,
    span: &std::ops::Range<usize>,
) -> Option<Command> {
    if !s.caps.show_document {
        return None;
    }
    let range = convert::range(text, &LineIndex::new(text), span, s.encoding);
    Some(Command {
        title: "Fill in the policy".into(),
        command: "fineprint.select".into(),
        arguments: Some(vec![
            serde_json::json!(uri.as_str()),
            serde_json::to_value(range).ok()?,
        ]),
    })
}

/// An edit of the workspace's policy file (created if missing) made by `change`, and
/// the command that selects its placeholder.
fn policy_edit(
    s: &State,
    change: impl FnOnce(Option<&str>, bool) -> Option<Filled>,
) -> Option<(WorkspaceEdit, Option<Command>)> {
    let (path, uri, pyproject) = policy_target(s)?;
    let (existing, version) = match s.docs.get(&uri) {
        Some(open) => (Some(open.doc.current_text()), Some(open.version)),
        // A policy file that cannot be read (a folder, a FIFO) gets no edit.
        None => (crate::lsp::policy_file::read_existing(&path).ok()?, None),
    };
    let filled = change(existing.as_deref(), pyproject)?;
    let select = select_command(s, &uri, &filled.text, &filled.placeholder);
    let new_text = filled.text;
    let edit = match existing {
        Some(old) => {
            let range = whole(&old, &LineIndex::new(&old), s.encoding);
            let edit = TextEdit { range, new_text };
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: vec![OneOf::Left(edit)],
                }])),
                ..WorkspaceEdit::default()
            }
        }
        None if s.caps.create_files => WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(vec![
                DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri: uri.clone(),
                    options: Some(CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                })),
                DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![OneOf::Left(TextEdit {
                        range: Range::default(),
                        new_text,
                    })],
                }),
            ])),
            ..WorkspaceEdit::default()
        },
        None => return None,
    };
    Some((edit, select))
}

/// The edit that appends a suppression comment to the reference's line.
fn suppress_edit(
    s: &State,
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    kind: FileKind,
    r: &Reference,
    codes: &[&str],
) -> Option<WorkspaceEdit> {
    if matches!(kind, FileKind::Json | FileKind::Notebook) || codes.is_empty() {
        return None; // JSON has no comments.
    }
    let line = index.line_of(r.span.start);
    let lr = index.line_range(text, line);
    if text.get(lr.clone())?.contains("fineprint: ignore") {
        return None;
    }
    let (open, close) = kind.comment();
    let new_text = format!("  {open}fineprint: ignore[{}]{close}", codes.join(", "));
    let at = convert::position(text, index, lr.end, s.encoding);
    let edit = TextEdit {
        range: Range::new(at, at),
        new_text,
    };
    Some(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
        ..WorkspaceEdit::default()
    })
}

/// Permissively licensed alternatives of the same shape, from the rules' `alternatives`.
fn alternatives(s: &State, r: &Reference) -> Vec<(String, String)> {
    let Some(res) = &r.resolution else {
        return Vec::new();
    };
    if r.text != r.id {
        return Vec::new(); // A URL or a router prefix: replacing the id alone could break it.
    }
    let Some(fam) = res.family(&s.kb) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for alt in fam.alternatives.iter().filter_map(|a| s.kb.family(a)) {
        let pick = alt.examples.positive.iter().find(|e| {
            let same_shape = match r.kind {
                RefKind::Hf => e.contains('/') && !e.starts_with("http") && !e.ends_with(".gguf"),
                RefKind::Ollama => !e.contains('/') && !e.ends_with(".gguf"),
                _ => false,
            };
            same_shape
                && resolve_str(&s.kb, e)
                    .and_then(|x| x.resolution)
                    .is_some_and(|x| {
                        x.family(&s.kb).is_some_and(|f| f.id == alt.id)
                            && x.at.is_some_and(|a| a.variant.is_none())
                            && is_permissive(x.license(&s.kb))
                    })
        });
        if let Some(id) = pick {
            out.push((id.clone(), alt.license.clone()));
        }
    }
    out
}

/// Handles `codeAction`.
pub fn run(b: &Backend, params: CodeActionParams) -> Option<Option<CodeActionResponse>> {
    b.with_state(|s| {
        let uri = &params.text_document.uri;
        s.refresh(uri);
        let open = s.docs.get(uri)?;
        let kind = open.doc.kind?;
        let (text, index) = (&open.doc.text, &open.doc.index);
        let want = convert::span(text, index, params.range, s.encoding);
        let today = crate::policy::today();
        let mut out = Vec::new();
        for r in open
            .doc
            .refs
            .iter()
            .filter(|r| r.span.end >= want.start && r.span.start <= want.end)
        {
            let findings = findings_for(text, index, r, &s.kb, &s.policy, &today);
            let codes: Vec<&str> = findings
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
                .map(|d| d.code.as_str())
                .collect();
            let diags: Vec<Diagnostic> = params
                .context
                .diagnostics
                .iter()
                .filter(|d| {
                    d.data
                        .as_ref()
                        .and_then(|v| v.get("id"))
                        .and_then(|v| v.as_str())
                        == Some(r.id.as_str())
                })
                .cloned()
                .collect();
            let name = crate::findings::display_name(r);
            if !codes.is_empty() {
                let title = format!("Add a policy exception for {name}");
                let exception = policy_edit(s, |old, pyproject| {
                    policy_edit::exception(old, &r.id, pyproject, &today)
                });
                match exception {
                    Some((edit, select)) => {
                        out.push(action(title, &diags, Some(edit), select));
                    }
                    // A client that cannot create files in an edit: the server writes it.
                    None if s.root.is_some() => {
                        let cmd = Command {
                            title: title.clone(),
                            command: "fineprint.addException".into(),
                            arguments: Some(vec![r.id.clone().into()]),
                        };
                        out.push(CodeActionOrCommand::Command(cmd));
                    }
                    None => {}
                }
                if let Some(edit) = suppress_edit(s, uri, text, index, kind, r, &codes) {
                    out.push(action(
                        format!("Ignore {} on this line", codes.join(", ")),
                        &diags,
                        Some(edit),
                        None,
                    ));
                }
            }
            // The facts a threshold finding asks the policy to declare.
            let lic = r.resolution.as_ref().map(|res| res.license(&s.kb));
            // At any severity: under `use = "internal"` the finding is information.
            let threshold = findings
                .iter()
                .any(|d| d.code == crate::findings::Code::CommercialThreshold);
            if let Some(lic) = lic.filter(|_| threshold) {
                for key in short::undeclared_facts(lic, &s.policy) {
                    let Some((edit, select)) = policy_edit(s, |old, pyproject| {
                        policy_edit::declare(old, key, pyproject)
                    }) else {
                        continue;
                    };
                    let file = policy_target(s).map_or("fineprint.toml".into(), |(p, _, _)| {
                        p.file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    });
                    out.push(action(
                        format!("Declare {key} in {file}"),
                        &diags,
                        Some(edit),
                        select,
                    ));
                }
            }
            if codes.iter().any(|c| *c != "unknown-license") {
                for (alt, license) in alternatives(s, r) {
                    // Every occurrence of the model in the file, not only this one.
                    let mut memo = crate::text::ColumnMemo::default();
                    let edits: Vec<TextEdit> = open
                        .doc
                        .refs
                        .iter()
                        .filter(|x| x.id == r.id && x.text == x.id)
                        .map(|x| TextEdit {
                            range: convert::range_after(
                                text, index, &x.span, s.encoding, &mut memo,
                            ),
                            new_text: alt.clone(),
                        })
                        .collect();
                    let n = edits.len();
                    let we = WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), edits)])),
                        ..WorkspaceEdit::default()
                    };
                    let where_ = if n > 1 {
                        format!(" ({n} places)")
                    } else {
                        String::new()
                    };
                    out.push(action(
                        format!("Replace with {alt} ({license}){where_}"),
                        &diags,
                        Some(we),
                        None,
                    ));
                }
            }
            if let Some(res) = &r.resolution {
                let l = res.license(&s.kb);
                let cmd = Command {
                    title: format!("Open the {}", l.name),
                    command: "fineprint.openLicense".into(),
                    arguments: Some(vec![l.url.clone().into()]),
                };
                out.push(CodeActionOrCommand::Command(cmd));
            }
        }
        Some(out)
    })
}
