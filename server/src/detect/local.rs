//! Local servers that answer to closed models' names.
//!
//! llama-cpp-python, vLLM, LM Studio and LocalAI serve local weights behind the OpenAI
//! API, and clients pointed at them keep sending `model="gpt-3.5-turbo"`: the name is
//! an alias for whatever the server loaded, not OpenAI's model. A base URL set in a
//! text (`base_url=`, `api_base`, `OPENAI_BASE_URL`, `--api-base`, `baseURL`) is an
//! *endpoint*; a closed API name whose nearest endpoint before it is a local or
//! private address is left out: fineprint cannot know the model behind it from this
//! text, and naming the closed model would be wrong. A public endpoint
//! (`https://api.openai.com/v1`) ends the region of a local one.
//!
//! Invariants: [`endpoints`] reads the whole text once (linear); whether a reference
//! is left out depends only on the reference and on the endpoint before it, so a
//! document updated edit by edit keeps the same references as a fresh scan as long as
//! the sequence of endpoints' localities does not change (`Document::edit` re-scans
//! whole when it does).

use crate::kb::{KnowledgeBase, Openness};
use crate::resolve::{RefKind, Reference};

/// How far before `http://` the base-URL key may start (`OPENAI_API_BASE_URL="`).
const KEY_REACH: usize = 48;

/// Every base URL set in `text`, in order: its offset and whether it is local. In
/// Markdown a heading starts a new section, as a public endpoint would (a guide's
/// section on a local server says nothing of the next section's provider).
pub fn endpoints(text: &str, markdown: bool) -> Vec<(usize, bool)> {
    let b = text.as_bytes();
    let mut out: Vec<(usize, bool)> = memchr::memmem::find_iter(b, b"://")
        .filter_map(|at| {
            let scheme = &b[at.saturating_sub(5)..at];
            let https = scheme.ends_with(b"https");
            if !https && !scheme.ends_with(b"http") {
                return None;
            }
            let url_start = if https { at - 5 } else { at - 4 };
            if !base_key_before(b, url_start) {
                return None;
            }
            let host = &b[at + 3..];
            Some((
                url_start,
                local_host(host) || (!https && private_host(host)),
            ))
        })
        .collect();
    if markdown && out.iter().any(|(_, local)| *local) {
        let headings = memchr::memmem::find_iter(b, b"\n#").map(|i| (i + 1, false));
        out.extend(headings);
        out.sort_unstable();
    }
    out
}

/// Whether the nearest endpoint before `pos` is local.
pub fn after_local(endpoints: &[(usize, bool)], pos: usize) -> bool {
    let i = endpoints.partition_point(|(at, _)| *at < pos);
    i > 0 && endpoints[i - 1].1
}

/// Leaves out of `refs` (in text order) the closed API names that follow a local
/// endpoint.
pub fn drop_local_aliases(
    kb: &KnowledgeBase,
    endpoints: &[(usize, bool)],
    refs: &mut Vec<Reference>,
) {
    if endpoints.iter().any(|(_, local)| *local) {
        refs.retain(|r| !(after_local(endpoints, r.span.start) && is_local_alias(kb, r)));
    }
}

/// `localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`.
fn local_host(host: &[u8]) -> bool {
    [&b"localhost"[..], b"127.", b"0.0.0.0", b"[::1]"]
        .iter()
        .any(|h| host.len() >= h.len() && host[..h.len()].eq_ignore_ascii_case(h))
}

/// A plain-HTTP host that is an IP address or a template (`<host>`, `{host}`,
/// `${HOST}`).
fn private_host(host: &[u8]) -> bool {
    host.first()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'<' | b'{' | b'$'))
}

/// Whether a base-URL key of an OpenAI-compatible client (`base_url`, `baseURL`,
/// `OPENAI_BASE_URL`, `api_base`, `--api-base`) stands on the same line shortly before
/// `url_start`. Ollama's own base URL (`OLLAMA_BASE_URL`) takes Ollama names and is
/// not one.
fn base_key_before(b: &[u8], url_start: usize) -> bool {
    let from = url_start.saturating_sub(KEY_REACH);
    let line_start = memchr::memrchr(b'\n', &b[from..url_start]).map_or(from, |i| from + i + 1);
    let before = &b[line_start..url_start];
    let lower = |i: usize| before.get(i).map(u8::to_ascii_lowercase);
    let is_sep = |c: Option<u8>| matches!(c, Some(b'_' | b'-'));
    let key = (0..before.len().saturating_sub(3)).any(|i| {
        if !before[i..i + 4].eq_ignore_ascii_case(b"base") {
            return false;
        }
        // `base_url`, `base-url`, `baseURL`
        let j = if is_sep(lower(i + 4)) { i + 5 } else { i + 4 };
        let url = (0..3).all(|k| lower(j + k) == Some(b"url"[k]));
        // `api_base`, `api-base`, `apiBase`
        let api = i >= 3 && {
            let k = if i >= 4 && is_sep(lower(i - 1)) {
                i - 4
            } else {
                i - 3
            };
            (0..3).all(|n| lower(k + n) == Some(b"api"[n]))
        };
        url || api
    });
    key && !before.windows(6).any(|w| w.eq_ignore_ascii_case(b"ollama"))
}

/// Whether `r` is a closed API model's name, which a local server takes as an alias.
pub fn is_local_alias(kb: &KnowledgeBase, r: &Reference) -> bool {
    r.kind == RefKind::Api
        && r.resolution
            .as_ref()
            .is_some_and(|res| kb.openness(res.at, res.license) == Openness::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the text sets a local endpoint.
    fn local_endpoint(text: &str) -> bool {
        endpoints(text, false).iter().any(|(_, local)| *local)
    }

    #[test]
    fn local_endpoints() {
        let cases = [
            (
                r#"client = OpenAI(base_url="http://localhost:8000/v1")"#,
                true,
            ),
            (
                r#"OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="x")"#,
                true,
            ),
            (r#"    base_url=\"http://100.64.159.73:8000/v1\","#, true),
            (
                r#"client = OpenAI(base_url="http://<host>:<port>/v1")"#,
                true,
            ),
            ("OPENAI_API_BASE=http://10.1.2.3:8000/v1", true),
            ("openai.api_base = 'http://localhost:8000/v1'", true),
            ("export OPENAI_BASE_URL=https://localhost:8443/v1", true),
            (
                "const c = new OpenAI({ baseURL: 'http://0.0.0.0:1234/v1' })",
                true,
            ),
            ("llm --api-base http://[::1]:8080/v1", true),
            // Public providers and URLs that are no client's base.
            (r#"OpenAI(base_url="https://api.together.xyz/v1")"#, false),
            (r#"base_url="https://openrouter.ai/api/v1""#, false),
            ("see http://localhost:8000/docs for the API", false),
            (r#"url = "http://localhost:3000""#, false),
            ("database: http://10.0.0.1/base", false),
            // Not an OpenAI-compatible client's base: Ollama's, a database's, a host name.
            ("OLLAMA_BASE_URL=http://localhost:11434", false),
            (r#""base_uri": "https://localhost:8080/""#, false),
            (r#""base_url": "http://testserver""#, false),
            ("database_base: http://localhost:5432", false),
            ("", false),
            ("http://", false),
        ];
        for (text, want) in cases {
            assert_eq!(local_endpoint(text), want, "{text}");
        }
    }

    #[test]
    fn nearest_endpoint_decides() {
        let text = "a\nbase_url: http://localhost:8080\nb\nbase_url: https://api.openai.com/v1\nc";
        let e = endpoints(text, false);
        let at = |w: &str| text.find(w).map(|i| after_local(&e, i));
        assert_eq!(at("a\n"), Some(false));
        assert_eq!(at("b\n"), Some(true));
        assert_eq!(
            at("\nc").map(|_| after_local(&e, text.len() - 1)),
            Some(false)
        );
        // In Markdown a heading ends a local endpoint's section.
        let md = "OPENAI_BASE_URL=http://localhost:1234/v1\nx\n## Cohere\ny";
        let e = endpoints(md, true);
        assert!(after_local(&e, md.find('x').unwrap_or(0)));
        assert!(!after_local(&e, md.find('y').unwrap_or(0)));
    }
}
