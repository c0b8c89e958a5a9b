//! The one HTTP GET of fineprint: the only code that opens a network connection.
//!
//! Invariants:
//! - Nothing here is called unless the user turned an online feature on (`--online`,
//!   `online = true` in the policy, the language server's `fineprint.online`, or a
//!   command whose whole job is to fetch, such as `fineprint sync`). With the
//!   defaults, fineprint opens no socket (`tests/security/no_network.sh` proves it).
//! - A [`Client`] is made for one origin (scheme, host and port), the configured
//!   endpoint, and contacts no other: a URL or a redirect to another origin is an
//!   error ([`NetError::OtherOrigin`]), never followed. The bearer token, when one is
//!   given, is therefore only ever sent to that origin. The one exception is a client
//!   made with [`Options::redirect_to_other_origins`] (the knowledge pack, whose
//!   signature proves where it comes from): without a token, its redirects may lead
//!   to another origin, but never from https to http.
//! - Every call is bounded: a connect timeout, a timeout for the answer and its body,
//!   a cap on the body's size, a bounded number of redirects, and a bounded number of
//!   retries (only on 429 and 5xx, with exponential backoff, honouring a `Retry-After`
//!   in seconds up to a cap; a longer wait is reported, not waited for).
//! - Failures are typed ([`NetError`]) and say what failed: offline, name resolution,
//!   timeout, an HTTP status, a body too large, a redirect refused.

use std::fmt;
use std::io::ErrorKind;
use std::time::Duration;

/// Limits of a [`Client`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Time allowed to resolve the name and open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for the answer, headers and body, of one request.
    pub read_timeout: Duration,
    /// The largest body read, in bytes; a larger one is [`NetError::TooLarge`].
    pub max_bytes: u64,
    /// Retries after the first try, on 429 and 5xx only.
    pub retries: u32,
    /// The first backoff; each retry doubles it.
    pub backoff: Duration,
    /// The longest `Retry-After` waited for.
    pub max_retry_after: Duration,
    /// Redirects followed (within the origin) before giving up.
    pub max_redirects: u32,
    /// Sent as `Authorization: Bearer …` (to the client's origin only).
    pub token: Option<String>,
    /// The `Accept` header sent.
    pub accept: &'static str,
    /// Whether a redirect may lead to another origin: only for a download whose
    /// authenticity a signature proves (a release asset on GitHub redirects to its
    /// storage host), and never with a token or from https to http.
    pub redirect_to_other_origins: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_bytes: 4 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(30),
            max_redirects: 5,
            token: None,
            accept: "application/json",
            redirect_to_other_origins: false,
        }
    }
}

/// What went wrong with a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The URL is not an `http` or `https` URL fineprint can use.
    BadUrl { url: String, why: String },
    /// The URL (or a redirect) leads to an origin the client was not made for.
    OtherOrigin { url: String, allowed: String },
    /// No connection could be made (no network, refused, unreachable).
    Offline { url: String, detail: String },
    /// The host name did not resolve.
    Dns { host: String },
    /// The server did not answer in time.
    Timeout { url: String, after: Duration },
    /// The server answered with an HTTP error status (after any retries).
    Status {
        url: String,
        status: u16,
        /// The wait a 429 or 503 asked for, when it was more than fineprint waits.
        retry_after: Option<u64>,
    },
    /// The body is larger than the cap.
    TooLarge { url: String, limit: u64 },
    /// More redirects than allowed.
    TooManyRedirects { url: String, max: u32 },
    /// Any other failure (TLS, protocol, I/O), with its description.
    Other { url: String, detail: String },
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadUrl { url, why } => write!(f, "cannot fetch `{url}`: {why}"),
            Self::OtherOrigin { url, allowed } => write!(
                f,
                "refused to contact `{url}`: only the configured endpoint `{allowed}` is contacted"
            ),
            Self::Offline { url, detail } => {
                write!(f, "offline: cannot connect to `{url}` ({detail})")
            }
            Self::Dns { host } => write!(
                f,
                "offline or unknown host: the name `{host}` does not resolve"
            ),
            Self::Timeout { url, after } => write!(
                f,
                "timed out: `{url}` did not answer within {} s",
                after.as_secs_f32()
            ),
            Self::Status {
                url,
                status,
                retry_after: Some(s),
            } => write!(
                f,
                "HTTP {status} from `{url}`: the server asks to wait {s} s before trying again"
            ),
            Self::Status { url, status, .. } => write!(f, "HTTP {status} from `{url}`"),
            Self::TooLarge { url, limit } => write!(
                f,
                "the answer from `{url}` is larger than {limit} bytes, the most fineprint reads"
            ),
            Self::TooManyRedirects { url, max } => {
                write!(f, "`{url}` redirected more than {max} times")
            }
            Self::Other { url, detail } => write!(f, "cannot fetch `{url}`: {detail}"),
        }
    }
}

impl std::error::Error for NetError {}

/// A successful answer (a 2xx status).
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: u16,
    /// The URL that answered (after redirects).
    pub url: String,
    /// The body, at most [`Options::max_bytes`] long.
    pub body: Vec<u8>,
}

/// `scheme://host[:port]`, lowercased, of an absolute http(s) URL.
pub fn origin_of(url: &str) -> Result<String, NetError> {
    let bad = |why: &str| NetError::BadUrl {
        url: url.to_string(),
        why: why.to_string(),
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("not an absolute URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad("only http and https are supported"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("the URL has no host, or carries credentials"));
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority
        .strip_suffix(default_port)
        .unwrap_or(&authority)
        .to_string();
    Ok(format!("{scheme}://{authority}"))
}

/// The target of a `Location` header, made absolute against `base`.
fn join(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|s| base[s..].find('/').map(|j| s + j))
        .unwrap_or(base.len());
    if let Some(rest) = location.strip_prefix("//") {
        let scheme = base.split("://").next().unwrap_or("https");
        return format!("{scheme}://{rest}");
    }
    if location.starts_with('/') {
        return format!("{}{location}", &base[..origin_end]);
    }
    // Relative to the base's folder.
    let path = base[origin_end..].split(['?', '#']).next().unwrap_or("");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{}{dir}{location}", &base[..origin_end])
}

/// A blocking HTTP client for one origin.
pub struct Client {
    agent: ureq::Agent,
    origin: String,
    options: Options,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("origin", &self.origin)
            .field("token", &self.options.token.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Client {
    /// A client that contacts only the origin of `endpoint`.
    pub fn new(endpoint: &str, options: Options) -> Result<Self, NetError> {
        let origin = origin_of(endpoint)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.read_timeout))
            .timeout_recv_body(Some(options.read_timeout))
            .user_agent(concat!("fineprint/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            origin,
            options,
        })
    }

    /// The origin this client contacts.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// GETs `url` (which must be on the client's origin): follows redirects within the
    /// origin, retries 429 and 5xx, and returns a 2xx answer or the error.
    pub fn get(&self, url: &str) -> Result<Response, NetError> {
        let mut url = url.to_string();
        let mut redirects = 0;
        let mut attempt = 0;
        loop {
            let got = origin_of(&url)?;
            let elsewhere_allowed = redirects > 0
                && self.options.redirect_to_other_origins
                && self.options.token.is_none()
                && !(self.origin.starts_with("https://") && got.starts_with("http://"));
            if got != self.origin && !elsewhere_allowed {
                return Err(NetError::OtherOrigin {
                    url,
                    allowed: self.origin.clone(),
                });
            }
            match self.once(&url)? {
                Step::Done(r) => return Ok(r),
                Step::Redirect(to) => {
                    redirects += 1;
                    if redirects > self.options.max_redirects {
                        return Err(NetError::TooManyRedirects {
                            url,
                            max: self.options.max_redirects,
                        });
                    }
                    url = join(&url, &to);
                }
                Step::Retry { status, after } => {
                    let wait = match after {
                        Some(s) if Duration::from_secs(s) > self.options.max_retry_after => {
                            return Err(NetError::Status {
                                url,
                                status,
                                retry_after: Some(s),
                            });
                        }
                        Some(s) => Duration::from_secs(s),
                        None => self.options.backoff * 2u32.saturating_pow(attempt),
                    };
                    if attempt >= self.options.retries {
                        return Err(NetError::Status {
                            url,
                            status,
                            retry_after: None,
                        });
                    }
                    attempt += 1;
                    tracing::debug!("HTTP {status} from {url}; retry {attempt} in {wait:?}");
                    std::thread::sleep(wait);
                }
            }
        }
    }

    fn once(&self, url: &str) -> Result<Step, NetError> {
        let mut req = self.agent.get(url).header("Accept", self.options.accept);
        if let Some(t) = &self.options.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| self.error(url, e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if (300..400).contains(&status) && status != 304 {
            return match header("location") {
                Some(to) => Ok(Step::Redirect(to)),
                None => Err(NetError::Other {
                    url: url.to_string(),
                    detail: format!("HTTP {status} without a Location header"),
                }),
            };
        }
        if status == 429 || (500..600).contains(&status) {
            let after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
            return Ok(Step::Retry { status, after });
        }
        if !(200..300).contains(&status) {
            return Err(NetError::Status {
                url: url.to_string(),
                status,
                retry_after: None,
            });
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.options.max_bytes)
            .read_to_vec()
            .map_err(|e| self.error(url, e))?;
        Ok(Step::Done(Response {
            status,
            url: url.to_string(),
            body,
        }))
    }

    /// The host (and port) of the origin.
    fn host(&self) -> &str {
        self.origin.split("://").nth(1).unwrap_or(&self.origin)
    }

    fn error(&self, url: &str, e: ureq::Error) -> NetError {
        let url = url.to_string();
        match e {
            ureq::Error::HostNotFound => NetError::Dns {
                host: self.host().to_string(),
            },
            ureq::Error::Timeout(_) => NetError::Timeout {
                url,
                after: self.options.read_timeout,
            },
            ureq::Error::BodyExceedsLimit(limit) => NetError::TooLarge { url, limit },
            ureq::Error::ConnectionFailed => NetError::Offline {
                url,
                detail: "no connection could be made".into(),
            },
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused
                | ErrorKind::NetworkUnreachable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkDown
                | ErrorKind::AddrNotAvailable => NetError::Offline {
                    url,
                    detail: io.to_string(),
                },
                ErrorKind::TimedOut | ErrorKind::WouldBlock => NetError::Timeout {
                    url,
                    after: self.options.read_timeout,
                },
                _ => match io.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                    Some(ureq::Error::BodyExceedsLimit(limit)) => {
                        NetError::TooLarge { url, limit: *limit }
                    }
                    Some(ureq::Error::Timeout(_)) => NetError::Timeout {
                        url,
                        after: self.options.read_timeout,
                    },
                    // The system resolver's failure comes as a plain I/O error
                    // ("failed to lookup address information: …").
                    _ if is_resolver_error(&io.to_string()) => NetError::Dns {
                        host: self.host().to_string(),
                    },
                    _ => NetError::Other {
                        url,
                        detail: io.to_string(),
                    },
                },
            },
            other => NetError::Other {
                url,
                detail: other.to_string(),
            },
        }
    }
}

/// Whether an I/O error's text is the system resolver's (glibc, musl, macOS, Windows).
fn is_resolver_error(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "lookup address",
        "name resolution",
        "name or service not known",
        "nodename nor servname",
        "no such host",
    ]
    .iter()
    .any(|w| t.contains(w))
}

enum Step {
    Done(Response),
    Redirect(String),
    Retry { status: u16, after: Option<u64> },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for (url, want) in [
            (
                "https://huggingface.co/api/models/x",
                Ok("https://huggingface.co"),
            ),
            ("HTTPS://HF.co:443/a", Ok("https://hf.co")),
            ("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080")),
            ("http://h:80/x?y", Ok("http://h")),
            ("ftp://h/x", Err(())),
            ("huggingface.co/x", Err(())),
            ("https://user@h/x", Err(())),
            ("https:///x", Err(())),
        ] as [(&str, Result<&str, ()>); 8]
        {
            let got = origin_of(url).ok();
            assert_eq!(got.as_deref(), want.ok(), "{url}");
        }
    }

    #[test]
    fn resolver_errors() {
        for (text, dns) in [
            (
                "failed to lookup address information: Temporary failure in name resolution",
                true,
            ),
            (
                "failed to lookup address information: Name or service not known",
                true,
            ),
            ("nodename nor servname provided, or not known", true),
            ("No such host is known. (os error 11001)", true),
            ("Connection reset by peer (os error 104)", false),
        ] {
            assert_eq!(is_resolver_error(text), dns, "{text}");
        }
    }

    #[test]
    fn joins() {
        for (base, loc, want) in [
            (
                "http://h/api/models/a",
                "/api/models/b",
                "http://h/api/models/b",
            ),
            ("http://h/api/models/a", "b", "http://h/api/models/b"),
            ("http://h/api/models/a", "http://o/x", "http://o/x"),
            ("https://h/a", "//o/x", "https://o/x"),
            ("http://h", "/x", "http://h/x"),
        ] {
            assert_eq!(join(base, loc), want, "{base} + {loc}");
        }
    }
}
