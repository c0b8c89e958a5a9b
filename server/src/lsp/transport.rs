//! The framing filter between the client's pipes and the protocol library, in both
//! directions.
//!
//! **Input.** `tower-lsp-server` stops reading after the first message it cannot
//! decode (`tokio-util`'s framed reader ends the stream after an error), so one
//! malformed message from a client would end the session. The input side reads each
//! `Content-Length` frame itself and forwards only bodies that decode as a JSON-RPC
//! request or response; anything else is dropped with a log line.
//!
//! **Cancellation.** The library runs a `$/cancelRequest` lazily: as a task in the
//! same queue as the requests, which runs at most four at once. The cancellation is
//! lost when the client's answer to one of the server's own requests (read right
//! after the cancellation) completes the request first, and never runs while four
//! requests wait for the client. So the filter answers cancellations itself, in
//! arrival order: it keeps the ids of the client's requests that have no response yet
//! (the *ledger*), and a `$/cancelRequest` for one of them is answered at once with
//! `RequestCancelled` (-32800). The cancellation is still forwarded, so that the
//! library drops the handler when it gets to it; the response the server writes later
//! for that id (its result, or the library's own -32800) is dropped by the output
//! side.
//!
//! Invariants:
//! * The input side never holds more than one body, nor a header line longer than
//!   [`MAX_HEADER_LINE`] (the rest of such a line is skipped), nor more than
//!   [`MAX_HEADER_LINES`] header lines per message; a body announced larger than
//!   [`MAX_BODY`] is skipped without being held in memory, up to the next line holding
//!   a `Content-Length` header (not for the announced length, which may be a lie that
//!   would swallow the messages after it). End of input ends the pipe.
//! * A request (with an id) of a `$/` method is answered here with `MethodNotFound`
//!   (the library would drop it unanswered).
//! * The exit signal is sent before `exit` is forwarded, so that when the library's
//!   service ends on `exit`, the signal (with whether `shutdown` came first) is set.
//! * Every request of the client gets exactly one response: the ledger's decisions
//!   (answer a cancellation here, or let the server's response through) are taken
//!   under one lock, by the side that sees the message first.
//! * Frames reach the client whole: one lock serializes writes to its pipe.
//! * The ledger holds at most [`MAX_TRACKED`] ids; requests beyond that (a client that
//!   never reads its responses) fall back to the library's own cancellation.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};

/// The largest message body forwarded (bytes).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The longest header line kept (bytes, with its line end); the rest is skipped.
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// The most header lines one message may have (LSP defines two).
pub const MAX_HEADER_LINES: usize = 32;

/// The most request ids the ledger tracks at once.
pub const MAX_TRACKED: usize = 4096;

/// Whether a body is a message the protocol library will accept.
pub fn acceptable(body: &[u8]) -> bool {
    classify(body).is_some()
}

/// What the filter needs to know of a message it forwards.
enum Kind {
    /// A response to one of the server's requests.
    Response,
    /// A request (with an id) or a notification.
    Request {
        method: String,
        id: Option<Id>,
        params: Option<serde_json::Value>,
    },
}

/// Decodes a body in the library's order (a response first, then a request); `None`
/// when the library would reject it.
fn classify(body: &[u8]) -> Option<Kind> {
    if serde_json::from_slice::<Response>(body).is_ok() {
        return Some(Kind::Response);
    }
    let req = serde_json::from_slice::<Request>(body).ok()?;
    let (method, id, params) = req.into_parts();
    Some(Kind::Request {
        method: method.into_owned(),
        id,
        params,
    })
}

/// The id a `$/cancelRequest` names (a number or a string).
fn cancelled_id(params: Option<&serde_json::Value>) -> Option<Id> {
    #[derive(serde::Deserialize)]
    struct Cancel {
        id: Id,
    }
    serde_json::from_value::<Cancel>(params?.clone())
        .ok()
        .map(|c| c.id)
}

/// Whether the library answers a request of this method (it answers neither `exit`
/// nor unknown `$/` methods): only those enter the ledger.
fn answered(method: &str) -> bool {
    method != "exit" && !method.starts_with("$/")
}

/// The client's requests without a response yet, and those answered here as
/// cancelled whose server response is still to come (and to be dropped).
#[derive(Debug, Default)]
struct Ledger {
    in_flight: HashSet<Id>,
    cancelled: HashSet<Id>,
}

impl Ledger {
    fn is_empty(&self) -> bool {
        self.in_flight.is_empty() && self.cancelled.is_empty()
    }
}

type Shared<T> = Arc<Mutex<T>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Resolves when the client sends `exit`, with whether `shutdown` came first.
pub type ExitSignal = tokio::sync::oneshot::Receiver<bool>;

/// The server's ends of the filtered pipes.
pub struct Pipes {
    /// What the server reads: the client's messages, filtered.
    pub input: DuplexStream,
    /// Where the server writes; the filter copies it to the client.
    pub output: DuplexStream,
    /// Resolves on `exit`.
    pub exit: ExitSignal,
    /// Ends when everything the server wrote has reached the client.
    pub written: JoinHandle<()>,
}

/// Starts the filter between the client's pipes (`input`, `output`) and the server.
pub fn filtered(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Pipes {
    let (to_server, server_input) = tokio::io::duplex(1 << 20);
    let (server_output, from_server) = tokio::io::duplex(1 << 20);
    let (tx, exit) = tokio::sync::oneshot::channel();
    let client = Arc::new(tokio::sync::Mutex::new(output));
    let ledger: Shared<Ledger> = Arc::default();
    tokio::spawn(pump_in(
        input,
        to_server,
        client.clone(),
        ledger.clone(),
        tx,
    ));
    let written = tokio::spawn(pump_out(from_server, client, ledger));
    Pipes {
        input: server_input,
        output: server_output,
        exit,
        written,
    }
}

/// One line read with a bound on its length.
enum Line {
    /// The line, with its line end.
    Text(Vec<u8>),
    /// A line longer than the bound: how many bytes it had, and its last bytes (at
    /// most the bound), where a header glued to the end of garbage may be.
    TooLong { bytes: usize, tail: Vec<u8> },
    /// End of input (or a read error).
    End,
}

/// Reads up to and including the next `\n`, holding at most `max` bytes: of a longer
/// line, only the last `max` bytes are kept, the rest is dropped as it arrives.
async fn read_line(r: &mut (impl AsyncBufRead + Unpin), max: usize) -> Line {
    let mut line = Vec::new();
    let mut bytes = 0usize;
    loop {
        let buf = match r.fill_buf().await {
            Ok([]) | Err(_) => return Line::End,
            Ok(b) => b,
        };
        let end = buf.iter().position(|&b| b == b'\n');
        let n = end.map_or(buf.len(), |i| i + 1);
        line.extend_from_slice(&buf[..n]);
        bytes += n;
        if line.len() > max {
            line.drain(..line.len() - max);
        }
        r.consume(n);
        if end.is_some() {
            return if bytes > max {
                Line::TooLong { bytes, tail: line }
            } else {
                Line::Text(line)
            };
        }
    }
}

/// The value of a `Content-Length` header in `line`. A header glued to the end of
/// other bytes (a body longer than announced, garbage without a line end:
/// `...}Content-Length: 52`) counts too, so that the stream resynchronizes on the
/// next message.
fn content_length(line: &str) -> Option<&str> {
    const NAME: &str = "content-length:";
    let at = line.to_ascii_lowercase().rfind(NAME)?;
    if at > 0 {
        tracing::warn!(skipped = at, "skipped bytes before a Content-Length header");
    }
    line.get(at + NAME.len()..).map(str::trim)
}

/// Reads one header block. `None` at the end of input; `Some(Err(why))` for a block
/// whose message must be dropped (no valid length, too many lines).
async fn read_header(
    r: &mut (impl AsyncBufRead + Unpin),
) -> Option<std::result::Result<usize, &'static str>> {
    read_header_rest(r, None, 0).await
}

/// Reads the rest of a header block of which `lines` lines were read, `len` holding
/// the `Content-Length` found in them (`Some(None)`: one that did not parse).
async fn read_header_rest(
    r: &mut (impl AsyncBufRead + Unpin),
    mut len: Option<Option<usize>>,
    mut lines: usize,
) -> Option<std::result::Result<usize, &'static str>> {
    loop {
        let text = match read_line(r, MAX_HEADER_LINE).await {
            Line::End => return None,
            Line::TooLong { bytes, tail } => {
                tracing::warn!(
                    bytes,
                    "skipped a header line longer than {MAX_HEADER_LINE} bytes (all but its end)"
                );
                tail
            }
            Line::Text(l) => l,
        };
        let text = String::from_utf8_lossy(&text);
        let t = text.trim();
        if t.is_empty() {
            if lines > 0 {
                break;
            }
            continue;
        }
        lines += 1;
        if lines <= MAX_HEADER_LINES
            && let Some(v) = content_length(t)
        {
            len = Some(v.parse::<usize>().ok());
        }
    }
    Some(match len {
        _ if lines > MAX_HEADER_LINES => Err("more than 32 header lines"),
        Some(Some(n)) => Ok(n),
        Some(None) => Err("an invalid Content-Length"),
        None => Err("no Content-Length header"),
    })
}

/// After a header announcing a body over [`MAX_BODY`]: drops what follows, one
/// bounded line at a time, up to the next line that holds a `Content-Length` header
/// with a number, and reads the header block it starts. The announced length is not
/// trusted: a client that lied (or a body cut short) must not cost the messages after
/// it. A real body cannot hold such a line: JSON has no raw line end inside a string,
/// and outside strings `Content-Length:` is not JSON. A real body glued to the next
/// header (`...}Content-Length: 52`) is found like any other line's end (the long
/// line's last bytes are kept). `None` at the end of input.
async fn resync(
    r: &mut (impl AsyncBufRead + Unpin),
) -> Option<std::result::Result<usize, &'static str>> {
    loop {
        let line = match read_line(r, MAX_HEADER_LINE).await {
            Line::End => return None,
            Line::TooLong { tail, .. } => tail,
            Line::Text(l) => l,
        };
        let text = String::from_utf8_lossy(&line);
        if let Some(n) = content_length(text.trim()).and_then(|v| v.parse::<usize>().ok()) {
            return read_header_rest(r, Some(Some(n)), 1).await;
        }
    }
}

/// Writes one frame to the client, whole.
async fn write_frame(
    client: &tokio::sync::Mutex<impl AsyncWrite + Unpin>,
    body: &[u8],
) -> std::io::Result<()> {
    let mut w = client.lock().await;
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    w.write_all(body).await?;
    w.flush().await
}

/// Client to server.
async fn pump_in(
    input: impl AsyncRead + Unpin,
    mut server: DuplexStream,
    client: Arc<tokio::sync::Mutex<impl AsyncWrite + Unpin>>,
    ledger: Shared<Ledger>,
    exit: tokio::sync::oneshot::Sender<bool>,
) {
    let mut exit_tx = Some(exit);
    let mut shutdown_seen = false;
    let mut reader = BufReader::new(input);
    let mut oversized = false;
    loop {
        let header = if oversized {
            resync(&mut reader).await
        } else {
            read_header(&mut reader).await
        };
        let len = match header {
            None => return,
            Some(Err(why)) => {
                tracing::warn!("dropped a message with {why}");
                oversized = false;
                continue;
            }
            Some(Ok(len)) => len,
        };
        oversized = len > MAX_BODY;
        if oversized {
            tracing::warn!(
                len,
                "dropped a message larger than {MAX_BODY} bytes; skipping to the next header"
            );
            continue;
        }
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let Some(kind) = classify(&body) else {
            tracing::warn!(body = %String::from_utf8_lossy(&body[..body.len().min(200)]), "dropped a message that is not a JSON-RPC request or response");
            continue;
        };
        let mut method = None;
        if let Kind::Request {
            method: m,
            id,
            params,
        } = kind
        {
            if let Some(id) = id.as_ref().filter(|_| m.starts_with("$/")) {
                // The library drops requests of unknown `$/` methods unanswered; the
                // protocol lets a server ignore such notifications, never requests.
                tracing::debug!(method = m, "answered a `$/` request: method not found");
                let answer = Response::from_error(id.clone(), Error::method_not_found());
                let Ok(bytes) = serde_json::to_vec(&answer) else {
                    continue;
                };
                if write_frame(&client, &bytes).await.is_err() {
                    return;
                }
                continue;
            }
            if m == "$/cancelRequest" {
                if let Some(id) = cancelled_id(params.as_ref())
                    && cancel(&ledger, &id)
                {
                    let answer = Response::from_error(id, Error::request_cancelled());
                    let Ok(bytes) = serde_json::to_vec(&answer) else {
                        continue;
                    };
                    if write_frame(&client, &bytes).await.is_err() {
                        return;
                    }
                }
            } else if let Some(id) = id
                && answered(&m)
            {
                let mut l = lock(&ledger);
                if l.in_flight.len() < MAX_TRACKED {
                    l.in_flight.insert(id);
                }
            }
            method = Some(m);
        }
        // The exit signal goes before the message: the library ends its service when
        // it reads `exit`, and whoever sees the service end must find the signal set.
        let exiting = method.as_deref() == Some("exit");
        if exiting && let Some(tx) = exit_tx.take() {
            let _ = tx.send(shutdown_seen);
        }
        let header = format!("Content-Length: {len}\r\n\r\n");
        if server.write_all(header.as_bytes()).await.is_err()
            || server.write_all(&body).await.is_err()
        {
            return;
        }
        if exiting {
            return;
        }
        if method.as_deref() == Some("shutdown") {
            shutdown_seen = true;
        }
    }
}

/// Marks `id` as answered here if it is in flight; whether it was.
fn cancel(ledger: &Mutex<Ledger>, id: &Id) -> bool {
    let mut l = lock(ledger);
    if l.in_flight.remove(id) {
        l.cancelled.insert(id.clone());
        tracing::info!(%id, "cancelled a request in flight");
        true
    } else {
        tracing::debug!(%id, "cancellation of a request that has no response pending");
        false
    }
}

/// The id of a response (a body without `method`); `None` for requests and
/// notifications.
fn response_id(body: &[u8]) -> Option<Id> {
    #[derive(serde::Deserialize)]
    struct Head {
        id: Option<Id>,
        method: Option<serde::de::IgnoredAny>,
    }
    let head: Head = serde_json::from_slice(body).ok()?;
    if head.method.is_some() {
        return None;
    }
    head.id
}

/// Server to client. Ends when the server closes its output.
async fn pump_out(
    from_server: DuplexStream,
    client: Arc<tokio::sync::Mutex<impl AsyncWrite + Unpin>>,
    ledger: Shared<Ledger>,
) {
    let mut reader = BufReader::new(from_server);
    loop {
        let len = match read_header(&mut reader).await {
            None => return,
            Some(Err(why)) => {
                tracing::error!("the server wrote a message with {why}");
                continue;
            }
            Some(Ok(len)) => len,
        };
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let tracking = !lock(&ledger).is_empty();
        if tracking && let Some(id) = response_id(&body) {
            let mut l = lock(&ledger);
            if l.cancelled.remove(&id) {
                tracing::debug!(%id, "dropped the server's response to a request answered as cancelled");
                continue;
            }
            l.in_flight.remove(&id);
        }
        if write_frame(&client, &body).await.is_err() {
            return;
        }
    }
}
