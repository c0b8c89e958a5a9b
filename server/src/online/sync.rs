//! `fineprint sync`: fetch now what online resolution would ask about a project, so
//! that a later `check --online` (a CI job restoring the cache folder) answers from
//! the cache.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::hub::Status;
use super::{Online, Outcome};
use crate::evidence::{Roots, Store};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;
use crate::resolve::{RefKind, Reference};

/// What `sync` did, for its report.
#[derive(Debug, Default)]
pub struct Summary {
    /// One line per id asked, in id order.
    pub lines: Vec<String>,
    /// Ids fetched now.
    pub fetched: usize,
    /// Ids whose fresh answer was in the cache.
    pub cached: usize,
    /// Ids that could not be fetched.
    pub failed: usize,
}

fn describe(o: &Outcome) -> String {
    let Some(r) = o.record() else {
        return String::new();
    };
    match r.status {
        Status::NotFound => "not on the Hub (404)".into(),
        Status::NoAccess => "no access (401/403): private, or gated and needs HF_TOKEN".into(),
        Status::Found => {
            let lic = match (r.license.first().map(String::as_str), &r.license_name) {
                (Some("other") | None, Some(n)) => format!("license other ({n})"),
                (Some(l), _) => format!("license {l}"),
                (None, None) => "no license declared".into(),
            };
            if r.base_model.is_empty() {
                lic
            } else {
                format!("{lic}, base model {}", r.base_model.join(", "))
            }
        }
    }
}

/// Checks `paths` offline, then asks the Hub about every Hugging Face reference the
/// rules and the disk leave unknown (and their unknown base models), with at most
/// the settings' concurrency in flight.
pub fn run(
    paths: &[PathBuf],
    kb: &KnowledgeBase,
    policy: &Policy,
    online: &Arc<Online>,
) -> Summary {
    let report = crate::check::run_with(paths, kb, policy, &Store::new(Roots::from_env(), None));
    let ids = super::resolve::wanted(
        report
            .files
            .iter()
            .flat_map(|f| f.found.iter().map(|x| &x.reference)),
    );
    let next = AtomicUsize::new(0);
    let workers = online.settings().concurrency.clamp(1, ids.len().max(1));
    let mut results: Vec<(String, Outcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(id) = ids.get(i) else { break };
                        let outcome = online.lookup(id);
                        // Lineage: resolving fetches the unknown base models too.
                        let mut r = [Reference {
                            span: 0..0,
                            text: id.clone(),
                            kind: RefKind::Hf,
                            id: id.clone(),
                            resolution: None,
                            evidence: None,
                        }];
                        super::resolve::attach(&mut r, kb, online);
                        out.push((id.clone(), outcome));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Summary::default();
    for (id, o) in &results {
        let line = match o {
            Outcome::Fetched(_) => {
                summary.fetched += 1;
                format!("fetched  {id}: {}", describe(o))
            }
            Outcome::Cached(_) => {
                summary.cached += 1;
                format!("cached   {id}: {}", describe(o))
            }
            Outcome::Failed { error, stale } => {
                summary.failed += 1;
                match stale {
                    Some(_) => format!(
                        "failed   {id}: {error} (the older answer stays: {})",
                        describe(o)
                    ),
                    None => format!("failed   {id}: {error}"),
                }
            }
            Outcome::NotAnId => continue,
        };
        summary.lines.push(line);
    }
    summary
}
