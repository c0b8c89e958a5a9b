//! What the Hugging Face Hub's model API says about one repository.
//!
//! `GET {endpoint}/api/models/{org}/{name}` answers with a JSON object documented at
//! <https://huggingface.co/docs/hub/api> (the repository listing API) and, field by
//! field, by `huggingface_hub`'s `ModelInfo`
//! (<https://huggingface.co/docs/huggingface_hub/package_reference/hf_api>): `id`,
//! `sha` (the commit), `lastModified`, `gated` (`false`, `"auto"` or `"manual"`),
//! `tags` (among them `license:…` and `base_model:…`), and `cardData`, the YAML
//! front matter of the model card, whose keys are documented in the card template
//! (<https://github.com/huggingface/hub-docs/blob/main/modelcard.md>): `license`
//! (a Hub license id, or `other`), `license_name` and `license_link` (for `other`),
//! and `base_model` (a repository id, or a list of them for merges).
//!
//! Only those fields are read; everything else in the answer is ignored, and a field
//! of an unexpected type is treated as absent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the Hub said about one id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The repository exists and its metadata was read.
    Found,
    /// 404: no such repository.
    NotFound,
    /// 401 or 403: private, or needs a token fineprint was not given.
    NoAccess,
}

/// The fields fineprint keeps of one answer: the cache entry's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubRecord {
    /// The id asked for.
    pub id: String,
    /// The repository's own id in the answer (differs after a rename).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_id: Option<String>,
    /// Found, not found, or no access.
    pub status: Status,
    /// `cardData.license` (or the `license:` tags), as written; several when the card
    /// lists several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub license: Vec<String>,
    /// `cardData.license_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_name: Option<String>,
    /// `cardData.license_link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_link: Option<String>,
    /// `cardData.base_model` (or the `base_model:` tags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_model: Vec<String>,
    /// `gated`: `auto` or `manual`; absent when not gated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<String>,
    /// `sha`: the commit the answer describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// `lastModified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The URL asked.
    pub url: String,
    /// When it was fetched, in seconds since 1970-01-01 UTC.
    pub fetched_at: u64,
}

/// Strings of a value that is a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The values of the tags `prefix:value` (for `license:` and `base_model:`; the
/// Hub also writes relations such as `base_model:finetune:org/name`, whose last part
/// is the id).
fn tagged(tags: &[String], prefix: &str) -> Vec<String> {
    tags.iter()
        .filter_map(|t| t.strip_prefix(prefix)?.strip_prefix(':'))
        .map(|v| v.rsplit(':').next().unwrap_or(v).to_string())
        .filter(|v| !v.is_empty())
        .fold(Vec::new(), |mut acc, v| {
            if !acc.contains(&v) {
                acc.push(v);
            }
            acc
        })
}

/// Reads a 200 answer. `Err` when the body is not a JSON object.
pub fn parse(id: &str, url: &str, body: &[u8], fetched_at: u64) -> Result<HubRecord, String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the Hub's answer for `{id}` is not valid JSON ({e})"))?;
    let Some(obj) = v.as_object() else {
        return Err(format!("the Hub's answer for `{id}` is not a JSON object"));
    };
    let card = obj.get("cardData").and_then(Value::as_object);
    let field = |k: &str| card.and_then(|c| c.get(k));
    let tags = strings(obj.get("tags"));
    let mut license = strings(field("license"));
    if license.is_empty() {
        license = tagged(&tags, "license");
    }
    let mut base_model = strings(field("base_model"));
    if base_model.is_empty() {
        base_model = tagged(&tags, "base_model");
    }
    let gated = match obj.get("gated") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Bool(true)) => Some("true".into()),
        _ => None,
    };
    Ok(HubRecord {
        id: id.to_string(),
        canonical_id: string(obj.get("id")).filter(|c| c != id),
        status: Status::Found,
        license,
        license_name: string(field("license_name")),
        license_link: string(field("license_link")),
        base_model,
        gated,
        sha: string(obj.get("sha")),
        last_modified: string(obj.get("lastModified")),
        url: url.to_string(),
        fetched_at,
    })
}

/// A record for an answer without metadata (404, 401, 403).
pub fn absent(id: &str, url: &str, status: Status, fetched_at: u64) -> HubRecord {
    HubRecord {
        id: id.to_string(),
        canonical_id: None,
        status,
        license: Vec::new(),
        license_name: None,
        license_link: None,
        base_model: Vec::new(),
        gated: None,
        sha: None,
        last_modified: None,
        url: url.to_string(),
        fetched_at,
    }
}

/// Whether `id` is a Hub repository id fineprint may ask about: `org/name`, each part
/// of ASCII letters, digits, `-`, `_` and `.`, not starting with `.` or `-`, at most
/// 96 characters each (the Hub's own limit). Nothing else is ever sent.
pub fn valid_id(id: &str) -> bool {
    let Some((org, name)) = id.split_once('/') else {
        return false;
    };
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && !p.starts_with(['.', '-'])
            && !p.contains("..")
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    part(org) && part(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for (id, ok) in [
            ("meta-llama/Llama-3.1-8B", true),
            ("org/name.v2_x", true),
            ("bert-base-uncased", false),
            ("a/b/c", false),
            ("../etc", false),
            ("org/..", false),
            ("org/.hidden", false),
            ("org/na me", false),
            ("org/name?x=1", false),
            ("/name", false),
        ] {
            assert_eq!(valid_id(id), ok, "{id}");
        }
    }

    #[test]
    fn fields() {
        let body = br#"{"id":"acme/x","sha":"abc","lastModified":"2026-01-02T03:04:05.000Z",
            "gated":"manual","tags":["license:mit","base_model:finetune:org/base"],
            "cardData":{"license":"other","license_name":"acme-license","license_link":"LICENSE",
            "base_model":["org/a","org/b"]}}"#;
        let r = parse("acme/x", "u", body, 7).expect("parses");
        assert_eq!(r.license, ["other"]);
        assert_eq!(r.license_name.as_deref(), Some("acme-license"));
        assert_eq!(r.license_link.as_deref(), Some("LICENSE"));
        assert_eq!(r.base_model, ["org/a", "org/b"]);
        assert_eq!(r.gated.as_deref(), Some("manual"));
        assert_eq!(r.sha.as_deref(), Some("abc"));
        assert_eq!(r.canonical_id, None);
        // Without cardData, the tags.
        let r = parse("acme/y", "u", br#"{"id":"acme/z","gated":false,"tags":["license:mit","base_model:finetune:org/base"]}"#, 7)
            .expect("parses");
        assert_eq!(r.license, ["mit"]);
        assert_eq!(r.base_model, ["org/base"]);
        assert_eq!(r.gated, None);
        assert_eq!(r.canonical_id.as_deref(), Some("acme/z"));
        // Wrong types are absent, not errors.
        let r = parse(
            "a/b",
            "u",
            br#"{"cardData":{"license":3,"base_model":{"x":1}},"gated":7}"#,
            7,
        )
        .expect("parses");
        assert!(r.license.is_empty() && r.base_model.is_empty() && r.gated.is_none());
        for bad in [&b"{"[..], b"[1,2]", b"null", b"<html>"] {
            assert!(parse("a/b", "u", bad, 7).is_err());
        }
    }
}
