//! Evidence on the developer's disk: cached model cards, GGUF headers, the Ollama
//! store, and a Modelfile's own `LICENSE`.
//!
//! The detector finds references in text; this module then looks, on demand, for
//! what the machine itself says about each one and weighs it against the rules
//! ([`weigh`]). It knows nothing of the protocol or of output formats.
//!
//! Invariants:
//! * Nothing is read unless a reference asks for it; results are cached per key (for
//!   a few seconds in the editor, for the whole run in `check`).
//! * Every file read is bounded in bytes ([`read_bounded`]) and, after resolving
//!   links, must lie inside the root it was looked up in ([`within`]): a link out of
//!   the cache is reported as a problem, never followed.
//! * A reader never panics and never fails the check: a problem becomes a sentence on
//!   the reference's evidence, and the rules' answer stands.

pub mod front_matter;
pub mod gguf;
pub mod hf_cache;
pub mod license_text;
pub mod ollama;
pub mod weigh;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Where a piece of evidence was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceSource {
    /// A model card in the local Hugging Face cache.
    HfCache,
    /// The header of a GGUF file.
    Gguf,
    /// The local Ollama store.
    Ollama,
    /// The `LICENSE` instruction of the Modelfile being checked.
    Modelfile,
    /// The Hugging Face Hub's model API (online resolution, opt-in).
    Hub,
}

impl EvidenceSource {
    /// How the source is named in sentences.
    pub fn describe(self) -> &'static str {
        match self {
            Self::HfCache => "the model card in your Hugging Face cache",
            Self::Gguf => "the GGUF header",
            Self::Ollama => "the Ollama store",
            Self::Modelfile => "the Modelfile's LICENSE",
            Self::Hub => "the Hugging Face Hub",
        }
    }
}

/// What one source on disk says about a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Where it was read.
    pub source: EvidenceSource,
    /// The file read.
    pub path: String,
    /// The snapshot commit (HF cache) or model-layer digest (Ollama).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The license as declared there (`license`, or `license_name` when `other`;
    /// for license texts, the license they were recognised as).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// The declared license, when fineprint knows it (index into the base).
    #[serde(skip)]
    pub declared_license: Option<usize>,
    /// `license_link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Base models named there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub base_models: Vec<String>,
    /// A problem met while reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// How fineprint weighed it against the rules, in one sentence.
    pub verdict: String,
    /// The evidence and the license fineprint applies disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    /// For the Hub: when the answer was fetched (`YYYY-MM-DD HH:MM UTC`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched: Option<String>,
    /// For the Hub: the repository is gated (`auto` or `manual` approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gated: Option<String>,
}

/// A disagreement between a declared license and the one fineprint applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conflict {
    /// The declared license is more permissive than the base model's.
    MorePermissiveThanBase,
    /// The rules name another license for this very repository or tag.
    DisagreesWithRules,
}

/// Where to look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roots {
    /// The Hugging Face hub cache.
    pub hf_hub: Option<PathBuf>,
    /// The Ollama store.
    pub ollama: Option<PathBuf>,
}

impl Roots {
    /// The roots named by the environment, as the tools themselves find them:
    /// `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`; and
    /// `$OLLAMA_MODELS`, else `~/.ollama/models`. `FINEPRINT_NO_EVIDENCE=1` turns the
    /// readers off.
    pub fn from_env() -> Self {
        Self::from_vars(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
    }

    /// [`Roots::from_env`] with a custom variable lookup (for tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        if var("FINEPRINT_NO_EVIDENCE").is_some_and(|v| v != "0") {
            return Self::default();
        }
        let home = var("HOME").map(PathBuf::from);
        let hf_hub = var("HF_HUB_CACHE")
            .map(PathBuf::from)
            .or_else(|| var("HF_HOME").map(|h| PathBuf::from(h).join("hub")))
            .or_else(|| home.as_ref().map(|h| h.join(".cache/huggingface/hub")));
        let ollama = var("OLLAMA_MODELS")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".ollama/models")));
        Self { hf_hub, ollama }
    }
}

/// Reads at most `max` bytes of a file.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut out = Vec::new();
    f.take(max)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(out)
}

/// `path` with links resolved, if that stays inside `root` (also resolved).
pub fn within(root: &Path, path: &Path) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", root.display()))?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", path.display()))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(format!(
            "{} links outside {} (to {}); not followed",
            path.display(),
            root.display(),
            real.display()
        ))
    }
}

/// One cache: what was read for each key, and when.
type Cache<K, V> = Mutex<HashMap<K, (Instant, Arc<V>)>>;

/// A cache of what was read, keyed by what was asked.
#[derive(Debug)]
pub struct Store {
    /// Where to look.
    pub roots: Roots,
    ttl: Option<Duration>,
    cards: Cache<String, Result<Option<hf_cache::CachedCard>, String>>,
    ggufs: Cache<PathBuf, Result<gguf::GgufMeta, String>>,
    ollama: Cache<String, Option<ollama::OllamaModel>>,
    /// Online resolution, when the user turned it on.
    pub online: Option<Arc<crate::online::Online>>,
}

impl Store {
    /// A store whose entries live for `ttl` (`None`: for the store's whole life).
    pub fn new(roots: Roots, ttl: Option<Duration>) -> Self {
        Self {
            roots,
            ttl,
            cards: Mutex::default(),
            ggufs: Mutex::default(),
            ollama: Mutex::default(),
            online: None,
        }
    }

    /// This store, with online resolution.
    pub fn with_online(mut self, online: Option<Arc<crate::online::Online>>) -> Self {
        self.online = online;
        self
    }

    /// A store that reads nothing.
    pub fn disabled() -> Self {
        Self::new(Roots::default(), None)
    }

    fn cached<K: std::hash::Hash + Eq + Clone, V>(
        &self,
        map: &Cache<K, V>,
        key: &K,
        read: impl FnOnce() -> V,
    ) -> Arc<V> {
        let fresh = |t: &Instant| self.ttl.is_none_or(|ttl| t.elapsed() < ttl);
        if let Ok(m) = map.lock()
            && let Some((t, v)) = m.get(key)
            && fresh(t)
        {
            return Arc::clone(v);
        }
        let v = Arc::new(read());
        if let Ok(mut m) = map.lock() {
            if m.len() > 4096 {
                m.clear();
            }
            m.insert(key.clone(), (Instant::now(), Arc::clone(&v)));
        }
        v
    }

    /// The cached card of `org/name`.
    pub fn card(&self, repo: &str) -> Arc<Result<Option<hf_cache::CachedCard>, String>> {
        let Some(root) = &self.roots.hf_hub else {
            return Arc::new(Ok(None));
        };
        self.cached(&self.cards, &repo.to_string(), || {
            hf_cache::lookup(root, repo)
        })
    }

    /// The header of a GGUF file.
    pub fn gguf(&self, path: &Path) -> Arc<Result<gguf::GgufMeta, String>> {
        self.cached(&self.ggufs, &path.to_path_buf(), || gguf::read_file(path))
    }

    /// What the Ollama store holds for a name.
    pub fn ollama(&self, name: &str) -> Arc<Option<ollama::OllamaModel>> {
        let Some(root) = &self.roots.ollama else {
            return Arc::new(None);
        };
        self.cached(&self.ollama, &name.to_string(), || {
            ollama::lookup(root, name)
        })
    }
}

/// Where the document being checked sits, to find the GGUF files it names.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The document's folder.
    pub dir: Option<PathBuf>,
    /// The workspace (or checked folder) root: GGUF files are read only inside it.
    pub root: Option<PathBuf>,
}
