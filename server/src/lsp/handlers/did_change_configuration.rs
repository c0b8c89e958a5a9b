//! `workspace/didChangeConfiguration`: inlay hints, log level, extra rules, the
//! workspace scan's settings (a change scans again).

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::handlers::initialize::parse_settings;

/// Handles `didChangeConfiguration`.
pub async fn run(b: &Backend, params: DidChangeConfigurationParams) {
    let mut unknown = Vec::new();
    let new = parse_settings(&params.settings, &mut unknown);
    for k in &unknown {
        tracing::warn!(key = %k, "unknown setting ignored");
    }
    let Some(old) = b.with_state(|s| std::mem::replace(&mut s.settings, new.clone())) else {
        return;
    };
    if let Some(level) = &new.log_level {
        b.set_log_level(level);
    }
    if old.rules != new.rules {
        b.reload_rules(new.rules.clone()).await;
    }
    if old.online != new.online {
        b.apply_online().await;
    }
    if old.inlay_hints != new.inlay_hints && b.with_state(|s| s.caps.inlay_refresh).unwrap_or(false)
    {
        let _ = b.client.inlay_hint_refresh().await;
    }
    if (old.scan_workspace, &old.scan_exclude) != (new.scan_workspace, &new.scan_exclude) {
        b.rescan_workspace().await;
        b.publish_all().await; // in pull mode: asks the client to pull again
    }
}

impl Backend {
    /// Loads the built-in rules plus `dir`, re-scans every open document and
    /// re-publishes. A folder that does not load keeps the current rules.
    pub async fn reload_rules(&self, dir: Option<std::path::PathBuf>) {
        let loaded = tokio::task::spawn_blocking(move || crate::lsp::load_kb(dir.as_ref())).await;
        match loaded {
            Ok(Ok(kb)) => {
                let kb = std::sync::Arc::new(kb);
                self.with_state(|s| {
                    s.kb = kb.clone();
                    for open in s.docs.values_mut() {
                        open.doc.rescan(&kb);
                    }
                });
                self.publish_all().await;
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "extra rules do not load; keeping the current rules");
                self.client
                    .show_message(
                        MessageType::ERROR,
                        format!("fineprint: the rules folder does not load:\n{e}"),
                    )
                    .await;
            }
            Err(e) => tracing::error!(error = %e, "rules loading task failed"),
        }
    }
}
