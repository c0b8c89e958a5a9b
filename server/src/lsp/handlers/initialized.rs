//! `initialized`: load the policy and any extra rules, watch the policy files, and
//! scan the workspace for files that are not open.

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::policy_file::policy_path;

/// Handles `initialized`.
pub async fn run(b: &Backend, _: InitializedParams) {
    let (root, watch, rules) = b
        .with_state(|s| (s.root.clone(), s.caps.watch_files, s.settings.rules.clone()))
        .unwrap_or((None, false, None));
    if rules.is_some() {
        b.reload_rules(rules).await;
    }
    if watch {
        let opts = DidChangeWatchedFilesRegistrationOptions {
            watchers: ["**/fineprint.toml", "**/pyproject.toml"]
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*g).to_string()),
                    kind: None,
                })
                .collect(),
        };
        let reg = Registration {
            id: "fineprint-policy-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(opts).ok(),
        };
        if let Err(e) = b.client.register_capability(vec![reg]).await {
            tracing::warn!(error = %e, "the client refused the file watcher; policy changes apply when the file is open or saved");
        }
    }
    if let Some(root) = root {
        let path = policy_path(&root);
        tracing::info!(policy = %path.display(), "policy file");
        b.apply_policy(path, None).await;
    } else {
        b.apply_online().await;
        b.rescan_workspace().await;
    }
}
