//! The local Ollama store: manifests, license layers and the model layer's GGUF header.
//!
//! Layout: `ROOT/manifests/HOST/NAMESPACE/NAME/TAG` is a JSON manifest whose `layers`
//! list blobs by media type; blobs live at `ROOT/blobs/sha256-HEX`. A library name
//! `llama3.1:8b` is `registry.ollama.ai/library/llama3.1/8b`; `user/name` is
//! `registry.ollama.ai/user/name`; `hf.co/org/repo:tag` is `hf.co/org/repo/tag`; a
//! missing tag is `latest`.
//!
//! Invariants: every path is built from validated name parts (no `..`, no separators
//! inside a part) and checked to stay inside the store root after resolving links;
//! at most [`MAX_MANIFEST`] bytes of a manifest and [`MAX_LICENSE`] bytes of each
//! license layer are read; the model layer is read only through the bounded GGUF
//! header reader.

use std::path::{Path, PathBuf};

use super::{gguf, read_bounded, within};

/// Largest manifest read.
pub const MAX_MANIFEST: u64 = 256 * 1024;
/// Largest part of a license layer read.
pub const MAX_LICENSE: u64 = 512 * 1024;

/// What the store says about one model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OllamaModel {
    /// The manifest read.
    pub manifest: PathBuf,
    /// The manifest's model-layer digest (the revision).
    pub digest: Option<String>,
    /// The text of each license layer.
    pub licenses: Vec<String>,
    /// The model layer's GGUF header, when it could be read.
    pub gguf: Option<gguf::GgufMeta>,
    /// A problem met while reading (the rest is still reported).
    pub problem: Option<String>,
}

fn valid_part(p: &str) -> bool {
    !p.is_empty()
        && p != "."
        && p != ".."
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// The manifest path of a name (`name`, `name:tag`, `ns/name:tag`, `host/ns/name:tag`).
pub fn manifest_path(root: &Path, name: &str) -> Option<PathBuf> {
    let (name, tag) = match name.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (name, "latest"),
    };
    let parts: Vec<&str> = name.split('/').collect();
    let (host, ns, model) = match parts[..] {
        [m] => ("registry.ollama.ai", vec!["library"], m),
        [ns, m] => ("registry.ollama.ai", vec![ns], m),
        [host, ref rest @ .., m] if host.contains('.') && !rest.is_empty() => {
            (host, rest.to_vec(), m)
        }
        _ => return None,
    };
    if !valid_part(host)
        || !valid_part(model)
        || !valid_part(tag)
        || !ns.iter().all(|p| valid_part(p))
    {
        return None;
    }
    let mut p = root.join("manifests").join(host);
    for n in ns {
        p.push(n);
    }
    Some(p.join(model).join(tag))
}

fn blob_path(root: &Path, digest: &str) -> Option<PathBuf> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| root.join("blobs").join(format!("sha256-{hex}")))
}

/// Reads what the store holds for `name`; `None` when it is not pulled.
pub fn lookup(root: &Path, name: &str) -> Option<OllamaModel> {
    let path = manifest_path(root, name)?;
    if !path.is_file() {
        return None;
    }
    let mut out = OllamaModel {
        manifest: path.clone(),
        ..OllamaModel::default()
    };
    let manifest = match within(root, &path).and_then(|p| read_bounded(&p, MAX_MANIFEST)) {
        Ok(b) => b,
        Err(e) => {
            out.problem = Some(e);
            return Some(out);
        }
    };
    let json: serde_json::Value = match serde_json::from_slice(&manifest) {
        Ok(v) => v,
        Err(e) => {
            out.problem = Some(format!("the manifest is not JSON: {e}"));
            return Some(out);
        }
    };
    let layers = json
        .get("layers")
        .and_then(|l| l.as_array())
        .map_or(&[][..], Vec::as_slice);
    for layer in layers.iter().take(64) {
        let media = layer
            .get("mediaType")
            .and_then(|m| m.as_str())
            .unwrap_or("");
        let Some(digest) = layer.get("digest").and_then(|d| d.as_str()) else {
            continue;
        };
        let Some(blob) = blob_path(root, digest) else {
            out.problem = Some(format!("a layer has a malformed digest `{digest}`"));
            continue;
        };
        let read = match media {
            "application/vnd.ollama.image.license" => within(root, &blob)
                .and_then(|p| read_bounded(&p, MAX_LICENSE))
                .map(|b| out.licenses.push(String::from_utf8_lossy(&b).into_owned())),
            "application/vnd.ollama.image.model" => {
                out.digest = Some(digest.to_string());
                within(root, &blob)
                    .and_then(|p| gguf::read_file(&p))
                    .map(|g| out.gguf = Some(g))
            }
            _ => Ok(()),
        };
        if let Err(e) = read {
            out.problem = Some(format!("{}: {e}", blob.display()));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths() {
        let root = Path::new("/s");
        let cases = [
            (
                "llama3.1",
                Some("/s/manifests/registry.ollama.ai/library/llama3.1/latest"),
            ),
            (
                "llama3.1:8b",
                Some("/s/manifests/registry.ollama.ai/library/llama3.1/8b"),
            ),
            (
                "qwen2.5:7b-instruct-q4_K_M",
                Some("/s/manifests/registry.ollama.ai/library/qwen2.5/7b-instruct-q4_K_M"),
            ),
            (
                "jmorgan/llama:1",
                Some("/s/manifests/registry.ollama.ai/jmorgan/llama/1"),
            ),
            (
                "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M",
                Some("/s/manifests/hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF/Q4_K_M"),
            ),
            ("../../etc/passwd", None),
            ("a/../b", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(
                manifest_path(root, name)
                    .map(|p| p.display().to_string())
                    .as_deref(),
                want,
                "{name}"
            );
        }
    }
}
