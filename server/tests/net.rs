//! `fineprint::net`, the one HTTP GET, against a real server on 127.0.0.1: statuses,
//! retries with backoff and Retry-After, timeouts, the size cap, redirects within and
//! out of the origin, the token, and a closed port.

#[path = "common/http.rs"]
mod http;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fineprint::net::{Client, NetError, Options};
use http::{Reply, Server};

fn quick() -> Options {
    Options {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(700),
        max_bytes: 1000,
        retries: 2,
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(2),
        max_redirects: 3,
        token: None,
        ..Options::default()
    }
}

/// A server whose n-th request (0-based) is answered by `replies[min(n, last)]`.
fn sequence(replies: Vec<Reply>) -> Server {
    let n = Arc::new(AtomicUsize::new(0));
    Server::start(move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
        replies[i].clone()
    })
}

/// What a GET gave: `Ok(body)` or the error's kind, as a word.
fn outcome(r: Result<fineprint::net::Response, NetError>) -> String {
    match r {
        Ok(r) => format!("ok {}", String::from_utf8_lossy(&r.body)),
        Err(NetError::Status {
            status,
            retry_after,
            ..
        }) => format!("status {status} {retry_after:?}"),
        Err(NetError::Timeout { .. }) => "timeout".into(),
        Err(NetError::TooLarge { limit, .. }) => format!("too large {limit}"),
        Err(NetError::TooManyRedirects { .. }) => "too many redirects".into(),
        Err(NetError::OtherOrigin { .. }) => "other origin".into(),
        Err(NetError::Offline { .. }) => "offline".into(),
        Err(e) => format!("other: {e}"),
    }
}

#[test]
fn statuses_retries_and_limits() {
    let big = "x".repeat(5000);
    let cases: Vec<(&str, Vec<Reply>, &str, usize)> = vec![
        // (what, the server's answers in order, outcome, requests made)
        ("200", vec![Reply::new(200, "hi")], "ok hi", 1),
        (
            "404 is not retried",
            vec![Reply::new(404, "")],
            "status 404 None",
            1,
        ),
        (
            "401 is not retried",
            vec![Reply::new(401, "")],
            "status 401 None",
            1,
        ),
        (
            "500 then 200",
            vec![Reply::new(500, ""), Reply::new(200, "second")],
            "ok second",
            2,
        ),
        (
            "503 three times: 1 try + 2 retries",
            vec![Reply::new(503, "")],
            "status 503 None",
            3,
        ),
        (
            "429 with Retry-After 1 is waited for",
            vec![
                Reply::new(429, "").with("Retry-After", "1"),
                Reply::new(200, "after"),
            ],
            "ok after",
            2,
        ),
        (
            "429 asking for an hour is reported, not waited for",
            vec![Reply::new(429, "").with("Retry-After", "3600")],
            "status 429 Some(3600)",
            1,
        ),
        (
            "slow answer",
            vec![Reply::new(200, "late").after(Duration::from_secs(3))],
            "timeout",
            1,
        ),
        (
            "body over the cap",
            vec![Reply::new(200, big)],
            "too large 1000",
            1,
        ),
    ];
    for (what, replies, want, n) in cases {
        let server = sequence(replies);
        let client = Client::new(&server.url(), quick()).expect("client");
        let got = outcome(client.get(&format!("{}/api/x", server.url())));
        assert_eq!(got, want, "{what}");
        assert_eq!(server.paths().len(), n, "{what}: requests");
    }
}

#[test]
fn redirects_stay_in_the_origin() {
    let elsewhere = Server::start(|_| Reply::new(200, "elsewhere"));
    let other = elsewhere.url();
    let away = format!("{other}/x");
    let server = Server::start(move |r| match r.path.as_str() {
        "/old" => Reply::new(301, "").with("Location", "/new"),
        "/new" => Reply::new(200, "moved"),
        "/relative/a" => Reply::new(302, "").with("Location", "b"),
        "/relative/b" => Reply::new(200, "relative"),
        "/loop" => Reply::new(307, "").with("Location", "/loop"),
        "/away" => Reply::new(302, "").with("Location", &away),
        _ => Reply::new(404, ""),
    });
    let client = Client::new(&server.url(), quick()).expect("client");
    for (path, want) in [
        ("/old", "ok moved"),
        ("/relative/a", "ok relative"),
        ("/loop", "too many redirects"),
        ("/away", "other origin"),
    ] {
        let got = outcome(client.get(&format!("{}{path}", server.url())));
        assert_eq!(got, want, "{path}");
    }
    assert!(
        elsewhere.paths().is_empty(),
        "the other origin was contacted"
    );
    // A URL on another origin is refused before any connection.
    assert_eq!(outcome(client.get(&format!("{other}/x"))), "other origin");
    assert!(elsewhere.paths().is_empty());
}

/// A client made with `redirect_to_other_origins` (the knowledge pack) follows a
/// redirect to another origin, but not with a token, and never to a URL on another
/// origin given directly.
#[test]
fn redirects_to_other_origins_only_when_asked_and_without_a_token() {
    let elsewhere = Server::start(|_| Reply::new(200, "elsewhere"));
    let away = format!("{}/x", elsewhere.url());
    let server = Server::start(move |_| Reply::new(302, "").with("Location", &away));
    let url = format!("{}/pack", server.url());
    for (other_origins, token, want, contacted) in [
        (true, None, "ok elsewhere", 1),
        (true, Some("secret"), "other origin", 0),
        (false, None, "other origin", 0),
    ] {
        let before = elsewhere.paths().len();
        let options = Options {
            redirect_to_other_origins: other_origins,
            token: token.map(str::to_string),
            ..quick()
        };
        let client = Client::new(&server.url(), options).expect("client");
        assert_eq!(outcome(client.get(&url)), want, "{other_origins} {token:?}");
        assert_eq!(
            elsewhere.paths().len() - before,
            contacted,
            "{other_origins} {token:?}"
        );
    }
    let client = Client::new(
        &server.url(),
        Options {
            redirect_to_other_origins: true,
            ..quick()
        },
    )
    .expect("client");
    assert_eq!(
        outcome(client.get(&format!("{}/y", elsewhere.url()))),
        "other origin"
    );
}

#[test]
fn the_token_goes_as_a_bearer_header() {
    let server = Server::start(|_| Reply::new(200, "ok"));
    for (token, want) in [(Some("hf_secret"), Some("Bearer hf_secret")), (None, None)] {
        let options = Options {
            token: token.map(str::to_string),
            ..quick()
        };
        let client = Client::new(&server.url(), options).expect("client");
        client.get(&format!("{}/t", server.url())).expect("get");
        let reqs = server.requests.lock().expect("requests");
        let last = reqs.last().expect("a request");
        assert_eq!(last.header("authorization"), want);
    }
}

#[test]
fn a_closed_port_is_offline_at_once() {
    let mut server = Server::start(|_| Reply::new(200, ""));
    let url = server.url();
    server.stop();
    let client = Client::new(&url, quick()).expect("client");
    let err = client.get(&format!("{url}/x")).expect_err("closed port");
    assert!(matches!(err, NetError::Offline { .. }), "{err:?}");
    assert!(err.to_string().starts_with("offline:"), "{err}");
}

#[test]
fn bad_endpoints_are_errors() {
    for url in ["ftp://x", "no-scheme", "https://user:pw@host"] {
        let err = Client::new(url, quick()).expect_err(url);
        assert!(matches!(err, NetError::BadUrl { .. }), "{url}: {err:?}");
    }
}
