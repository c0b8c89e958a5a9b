//! Opt-in online resolution: what the Hugging Face Hub says about a repository the
//! offline knowledge cannot resolve, cached on disk.
//!
//! Invariants:
//! * Nothing here runs unless the user turned online resolution on (`--online`,
//!   `online = true` in the policy, the language server's `fineprint.online`) or ran
//!   `fineprint sync`. Without an [`Online`] in the evidence store, the engine never
//!   gets here.
//! * Only the configured endpoint (`HF_ENDPOINT`, else `https://huggingface.co`) is
//!   contacted, through [`crate::net`], and only with what is needed: the path
//!   `/api/models/{org}/{name}` of a valid Hub id ([`hub::valid_id`]), plus the token
//!   of `HF_TOKEN` as a bearer header when it is set.
//! * Every answer (also "not found") is cached on disk with its fetch date
//!   ([`cache`]) and used without the network until it is older than the maximum
//!   age; when a refresh fails, the older answer is used and the failure reported.
//! * After a failure that says the network or the endpoint is unusable (offline, DNS,
//!   timeout), no further request is made in this run: one clear message, no hang.
//! * Fetches are bounded: at most [`Settings::concurrency`] at once, each bounded by
//!   [`crate::net`]'s timeouts, and `base_model` lineage is followed at most
//!   [`Settings::lineage_depth`] steps, never twice through one id.
//! * In [`Mode::Background`] (the language server), [`Online::record`] never waits for
//!   the network: it answers from the caches, queues a fetch for a worker thread, and
//!   the worker calls the `on_update` hook when an answer arrives.

pub mod cache;
pub mod hub;
pub mod resolve;
pub mod sync;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::net::{self, NetError};
use cache::DiskCache;
use hub::{HubRecord, Status};

/// The Hub's address when `HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The default maximum age of a cached answer, in days (`online_max_age_days`).
pub const DEFAULT_MAX_AGE_DAYS: u64 = 30;

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The endpoint (`HF_ENDPOINT`), without a trailing `/`.
    pub endpoint: String,
    /// `HF_TOKEN`, sent as a bearer token to the endpoint only.
    pub token: Option<String>,
    /// The cache folder; `None`: no disk cache (answers kept for the run only).
    pub cache_dir: Option<PathBuf>,
    /// Answers older than this are fetched again.
    pub max_age: Duration,
    /// Limits of each request.
    pub net: net::Options,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Steps of `base_model` followed.
    pub lineage_depth: usize,
}

impl Settings {
    /// The settings the environment gives: `HF_ENDPOINT`, `HF_TOKEN`, and the cache
    /// folder of [`cache::default_dir`]; `max_age_days` from the policy.
    pub fn from_env(max_age_days: Option<u64>) -> Self {
        Self::from_vars(
            |k| std::env::var_os(k).filter(|v| !v.is_empty()),
            max_age_days,
        )
    }

    /// [`Settings::from_env`] with a custom variable lookup.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<std::ffi::OsString>,
        max_age_days: Option<u64>,
    ) -> Self {
        let text = |k: &str| var(k).and_then(|v| v.into_string().ok());
        let endpoint = text("HF_ENDPOINT")
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let token = text("HF_TOKEN")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        let days = max_age_days.unwrap_or(DEFAULT_MAX_AGE_DAYS);
        Self {
            endpoint,
            net: net::Options {
                token: token.clone(),
                ..net::Options::default()
            },
            token,
            cache_dir: cache::default_dir(&var),
            max_age: Duration::from_secs(days.saturating_mul(86_400)),
            concurrency: 4,
            lineage_depth: 4,
        }
    }

    /// The URL asked for `id`.
    pub fn url(&self, id: &str) -> String {
        format!("{}/api/models/{id}", self.endpoint)
    }
}

/// How lookups behave when the caches have no fresh answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fetch now and wait (`check --online`, `sync`).
    Fetch,
    /// Answer from the caches at once; fetch on a worker thread (the language server).
    Background,
}

/// The outcome of asking for one id, for `sync`'s report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A fresh answer was already in the cache.
    Cached(HubRecord),
    /// Fetched now.
    Fetched(HubRecord),
    /// The fetch failed; the older answer, if any, is used.
    Failed {
        /// The error.
        error: String,
        /// The answer in the cache, if any.
        stale: Option<HubRecord>,
    },
    /// Not asked: not a Hub id.
    NotAnId,
}

impl Outcome {
    /// The record it gives, if any.
    pub fn record(&self) -> Option<&HubRecord> {
        match self {
            Self::Cached(r) | Self::Fetched(r) => Some(r),
            Self::Failed { stale, .. } => stale.as_ref(),
            Self::NotAnId => None,
        }
    }
}

type Hook = Box<dyn Fn() + Send + Sync>;

/// Online resolution for one run (or one language-server session).
pub struct Online {
    settings: Settings,
    mode: Mode,
    client: Result<net::Client, NetError>,
    disk: Option<DiskCache>,
    /// Answers of this run, by id.
    memory: Mutex<HashMap<String, Arc<Mutex<Option<Outcome>>>>>,
    /// Free request slots.
    slots: (Mutex<usize>, Condvar),
    /// Set after an error that makes further requests pointless.
    down: Mutex<Option<String>>,
    /// Messages for the user (corrupt cache entries, failed refreshes), each once.
    messages: Mutex<Vec<String>>,
    /// Background mode: the queue and the ids in it.
    queue: Option<SyncSender<String>>,
    queued: Arc<Mutex<HashSet<String>>>,
    on_update: Arc<Mutex<Option<Hook>>>,
}

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Online")
            .field("endpoint", &self.settings.endpoint)
            .field("mode", &self.mode)
            .finish()
    }
}

/// Seconds since 1970-01-01 UTC.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DD HH:MM UTC` of a time in seconds since 1970.
pub fn format_time(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = crate::policy::civil_from_days(days);
    let rest = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        (rest % 3600) / 60
    )
}

impl Online {
    /// Online resolution with these settings. In [`Mode::Background`], worker
    /// threads are started (they end with the last handle).
    pub fn new(settings: Settings, mode: Mode) -> Arc<Self> {
        let client = net::Client::new(&settings.endpoint, settings.net.clone());
        let disk = settings.cache_dir.as_deref().map(DiskCache::new);
        let (queue, rx) = if mode == Mode::Background {
            let (tx, rx) = sync_channel::<String>(1024);
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let workers = settings.concurrency.max(1);
        let online = Arc::new(Self {
            slots: (Mutex::new(workers), Condvar::new()),
            settings,
            mode,
            client,
            disk,
            memory: Mutex::default(),
            down: Mutex::default(),
            messages: Mutex::default(),
            queue,
            queued: Arc::default(),
            on_update: Arc::default(),
        });
        if let Some(rx) = rx {
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..workers {
                let weak = Arc::downgrade(&online);
                let rx = Arc::clone(&rx);
                std::thread::spawn(move || worker(&weak, &rx));
            }
        }
        online
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Called (on a worker thread) each time a background fetch brings an answer.
    pub fn set_on_update(&self, hook: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut h) = self.on_update.lock() {
            *h = Some(Box::new(hook));
        }
    }

    /// Messages gathered so far (taken: each is returned once).
    pub fn take_messages(&self) -> Vec<String> {
        self.messages
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default()
    }

    fn note(&self, msg: String) {
        if let Ok(mut m) = self.messages.lock()
            && !m.contains(&msg)
        {
            tracing::warn!("{msg}");
            m.push(msg);
        }
    }

    fn fresh(&self, r: &HubRecord) -> bool {
        now().saturating_sub(r.fetched_at) < self.settings.max_age.as_secs()
    }

    fn read_disk(&self, id: &str) -> Option<HubRecord> {
        match self.disk.as_ref()?.read(id) {
            Ok(r) => r,
            Err(e) => {
                self.note(e);
                None
            }
        }
    }

    fn slot(&self, id: &str) -> Arc<Mutex<Option<Outcome>>> {
        let mut m = match self.memory.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        Arc::clone(m.entry(id.to_string()).or_default())
    }

    /// What the Hub says about `id`, by the mode's rules: the record, if any.
    pub fn record(&self, id: &str) -> Option<HubRecord> {
        if !hub::valid_id(id) {
            return None;
        }
        match self.mode {
            Mode::Fetch => self.lookup(id).record().cloned(),
            Mode::Background => {
                let slot = self.slot(id);
                if let Ok(s) = slot.try_lock()
                    && let Some(o) = s.as_ref()
                {
                    return o.record().cloned();
                }
                let cached = self.read_disk(id);
                if cached.as_ref().is_none_or(|r| !self.fresh(r)) {
                    self.enqueue(id);
                }
                cached
            }
        }
    }

    fn enqueue(&self, id: &str) {
        if self.down.lock().is_ok_and(|d| d.is_some()) {
            return;
        }
        let Some(q) = &self.queue else { return };
        if let Ok(mut queued) = self.queued.lock()
            && queued.insert(id.to_string())
            && q.try_send(id.to_string()).is_err()
        {
            queued.remove(id);
        }
    }

    /// Looks `id` up: the run's memory, else a fresh disk entry, else the network
    /// (waiting for it). Each id is fetched at most once per run.
    pub fn lookup(&self, id: &str) -> Outcome {
        if !hub::valid_id(id) {
            return Outcome::NotAnId;
        }
        let slot = self.slot(id);
        let mut s = match slot.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if let Some(o) = s.as_ref() {
            return o.clone();
        }
        let cached = self.read_disk(id);
        let outcome = match cached {
            Some(r) if self.fresh(&r) => Outcome::Cached(r),
            stale => match self.fetch(id) {
                Ok(r) => Outcome::Fetched(r),
                Err(error) => {
                    let down = self
                        .down
                        .lock()
                        .is_ok_and(|d| d.as_deref() == Some(error.as_str()));
                    if let Some(old) = &stale {
                        self.note(format!(
                            "online: could not refresh `{id}` ({error}); using the answer fetched {}",
                            format_time(old.fetched_at)
                        ));
                    } else if !down {
                        self.note(format!("online: `{id}` left unresolved: {error}"));
                    }
                    Outcome::Failed { error, stale }
                }
            },
        };
        *s = Some(outcome.clone());
        outcome
    }

    /// One request, within the concurrency bound; the answer is written to the disk
    /// cache.
    fn fetch(&self, id: &str) -> Result<HubRecord, String> {
        if let Ok(d) = self.down.lock()
            && let Some(why) = d.as_ref()
        {
            return Err(why.clone());
        }
        let client = self.client.as_ref().map_err(|e| {
            let msg = format!("online: {e} (check HF_ENDPOINT)");
            self.note(msg.clone());
            msg
        })?;
        let url = self.settings.url(id);
        let got = {
            let (lock, cv) = &self.slots;
            let mut free = match lock.lock() {
                Ok(f) => f,
                Err(p) => p.into_inner(),
            };
            while *free == 0 {
                free = match cv.wait(free) {
                    Ok(f) => f,
                    Err(p) => p.into_inner(),
                };
            }
            *free -= 1;
            drop(free);
            let got = client.get(&url);
            if let Ok(mut f) = lock.lock() {
                *f += 1;
            }
            cv.notify_one();
            got
        };
        let at = now();
        let record = match got {
            Ok(resp) => hub::parse(id, &resp.url, &resp.body, at)?,
            Err(NetError::Status { status: 404, .. }) => {
                hub::absent(id, &url, Status::NotFound, at)
            }
            Err(NetError::Status {
                status: 401 | 403, ..
            }) => hub::absent(id, &url, Status::NoAccess, at),
            Err(e) => {
                let msg = e.to_string();
                if matches!(
                    e,
                    NetError::Offline { .. } | NetError::Dns { .. } | NetError::Timeout { .. }
                ) && let Ok(mut d) = self.down.lock()
                    && d.is_none()
                {
                    self.note(format!(
                        "online: {msg}; no further requests to {} in this run",
                        self.settings.endpoint
                    ));
                    *d = Some(msg.clone());
                }
                return Err(msg);
            }
        };
        if let Some(disk) = &self.disk
            && let Err(e) = disk.write(&record)
        {
            self.note(format!("online: {e}"));
        }
        Ok(record)
    }
}

fn worker(online: &std::sync::Weak<Online>, rx: &Mutex<Receiver<String>>) {
    loop {
        let id = {
            let Ok(rx) = rx.lock() else { return };
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(id) => Some(id),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        let Some(o) = online.upgrade() else { return };
        let Some(id) = id else { continue };
        // Only ids without a fresh answer are queued, so this fetches (once per run:
        // the outcome stays in memory, where `record` finds it).
        let outcome = o.lookup(&id);
        if let Ok(mut q) = o.queued.lock() {
            q.remove(&id);
        }
        if matches!(outcome, Outcome::Fetched(_))
            && let Ok(h) = o.on_update.lock()
            && let Some(h) = h.as_ref()
        {
            h();
        }
    }
}
