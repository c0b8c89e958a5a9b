//! Online resolution in the language server: answers come from the caches at once,
//! fetches run on [`crate::online`]'s worker threads, and each answer that arrives
//! re-weighs the open documents and re-publishes them. Analysis and requests never
//! wait for the network.

use tokio::sync::mpsc::unbounded_channel;

use super::Backend;

/// Pause after an answer arrives, to gather the answers of a burst into one publish.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

impl Backend {
    /// Turns online resolution on or off as the `online` setting and the policy's
    /// `online` key say; when it is turned on, weighs the open documents again (which
    /// queues their fetches) and re-publishes whenever answers arrive.
    pub async fn apply_online(&self) {
        let Some(Some(online)) = self.with_state(super::state::State::set_online) else {
            return;
        };
        let (tx, mut rx) = unbounded_channel::<()>();
        online.set_on_update(move || {
            let _ = tx.send(());
        });
        let client = self.client.clone();
        let state = self.state.clone();
        let schedule = self.worker.sender();
        tokio::spawn(async move {
            // Ends when the online resolver (and the hook holding the sender) is gone.
            while rx.recv().await.is_some() {
                tokio::time::sleep(GATHER).await;
                while rx.try_recv().is_ok() {}
                let Some((uris, pull, refresh)) = super::locked(&state, |s| {
                    (s.reweigh_all(), s.caps.pull, s.caps.pull_refresh)
                }) else {
                    continue;
                };
                tracing::debug!(
                    documents = uris.len(),
                    "online answers arrived; re-publishing"
                );
                if pull {
                    if refresh {
                        let _ = client.workspace_diagnostic_refresh().await;
                    }
                } else {
                    for uri in uris {
                        let _ = schedule.send(uri);
                    }
                }
            }
        });
        self.with_state(|s| s.reweigh_all());
        self.publish_all().await;
    }
}
