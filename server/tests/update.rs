//! `fineprint update` against a real HTTP server on 127.0.0.1, started by the tests
//! (docs/knowledge-packs.md).
//!
//! The packs are built by the library from the embedded rules, with the knowledge dated
//! 2099-01-01 and one family only the pack knows (`packtest-org/Only-In-Pack-7B`,
//! non-commercial), and signed with throw-away minisign keys made here. The binary
//! trusts them only through `--trust-key`, as a user would trust a mirror's key.
//!
//! * A good pack installs; `--version`, `explain`, `check` and the language server then
//!   use it; a pack reached through a redirect installs too.
//! * Each bad download is refused with exit code 2 and a clear message, and leaves the
//!   knowledge that was in force (built in, or the pack installed before): a tampered
//!   archive, a bad signature, a wrong checksum, an incompatible format or version, a
//!   truncated download, a 404, a slow server, a redirect loop, knowledge that does not
//!   load.
//! * A damaged cache falls back to the built-in knowledge with a note.

mod common;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use fineprint::kb::pack;

/// How the test server answers one path.
#[derive(Clone)]
enum Answer {
    /// 200 with this body.
    Body(Vec<u8>),
    /// This status, empty body.
    Status(u16),
    /// 302 to this path.
    Redirect(String),
    /// Waits, then 200 with this body.
    Slow(Duration, Vec<u8>),
    /// Announces the whole body, sends half of it, closes.
    Truncated(Vec<u8>),
}

/// An HTTP/1.1 server on 127.0.0.1 that answers each path from a table (404 for the
/// rest) and closes every connection after one answer.
struct Server {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Answer>>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let routes: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let table = Arc::clone(&routes);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let table = Arc::clone(&table);
                std::thread::spawn(move || answer(stream, &table));
            }
        });
        Self { port, routes }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Serves `archive` at `path`, with `sum` at `path.sha256` and `sig` at
    /// `path.minisig`.
    fn serve_pack(&self, path: &str, archive: Answer, sum: &str, sig: &str) {
        let mut r = self.routes.lock().expect("routes");
        r.insert(path.to_string(), archive);
        r.insert(
            format!("{path}.sha256"),
            Answer::Body(sum.as_bytes().to_vec()),
        );
        r.insert(
            format!("{path}.minisig"),
            Answer::Body(sig.as_bytes().to_vec()),
        );
    }

    fn serve(&self, path: &str, a: Answer) {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_string(), a);
    }
}

fn answer(stream: TcpStream, table: &Mutex<HashMap<String, Answer>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let found = table.lock().expect("routes").get(&path).cloned();
    let mut out = stream;
    let head = |status: &str, len: usize, extra: &str| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n")
    };
    let _ = match found {
        None => out.write_all(head("404 Not Found", 0, "").as_bytes()),
        Some(Answer::Status(code)) => {
            out.write_all(head(&format!("{code} Status"), 0, "").as_bytes())
        }
        Some(Answer::Redirect(to)) => {
            out.write_all(head("302 Found", 0, &format!("Location: {to}\r\n")).as_bytes())
        }
        Some(Answer::Body(b)) => out
            .write_all(head("200 OK", b.len(), "").as_bytes())
            .and_then(|()| out.write_all(&b)),
        Some(Answer::Slow(wait, b)) => {
            std::thread::sleep(wait);
            out.write_all(head("200 OK", b.len(), "").as_bytes())
                .and_then(|()| out.write_all(&b))
        }
        Some(Answer::Truncated(b)) => out
            .write_all(head("200 OK", b.len(), "").as_bytes())
            .and_then(|()| out.write_all(&b[..b.len() / 2])),
    };
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

/// A family only the test pack knows.
const PACK_FAMILY: &str = r#"
[[family]]
id = "packtest-only"
name = "Pack Test Model"
vendor = "Pack Test"
license = "cc-by-nc-4.0"
kind = "open-weights"
modality = "text"
training_data = "closed"
training_code = "closed"
source = { url = "https://example.org/packtest", section = "a family that only the test knowledge pack holds", checked = "2099-01-01" }
hf = ["packtest-org/Only-In-Pack-7B*"]
names = []
ollama = []
api = []
examples.positive = ["packtest-org/Only-In-Pack-7B"]
examples.negative = ["meta-llama/Llama-3.1-8B"]
"#;

const PACK_DATE: &str = "2099-01-01";
const PACK_MODEL: &str = "packtest-org/Only-In-Pack-7B";

/// The embedded rules plus the pack-only family.
fn pack_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fineprint::kb::embedded_files()
        .iter()
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect();
    files.push(("models/packtest.toml".into(), PACK_FAMILY.into()));
    files
}

/// A key pair and a signer.
struct Key {
    pair: minisign::KeyPair,
}

impl Key {
    fn new() -> Self {
        Self {
            pair: minisign::KeyPair::generate_unencrypted_keypair().expect("key pair"),
        }
    }

    fn sign(&self, bytes: &[u8]) -> String {
        minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            std::io::Cursor::new(bytes),
            Some("fineprint test pack"),
            None,
        )
        .expect("sign")
        .to_string()
    }

    fn public(&self) -> String {
        self.pair.pk.to_base64()
    }
}

/// A signed pack: archive, `.sha256` text, `.minisig` text.
struct Signed {
    archive: Vec<u8>,
    sum: String,
    sig: String,
}

fn sign(key: &Key, archive: Vec<u8>) -> Signed {
    Signed {
        sum: format!("{}  {}\n", pack::sha256_hex(&archive), pack::ARCHIVE_NAME),
        sig: key.sign(&archive),
        archive,
    }
}

/// An archive with `manifest` and `files` as given (for manifests `build` never
/// writes).
fn archive_of(manifest: &pack::Manifest, files: &[(String, String)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |name: &str, bytes: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, name, bytes).expect("append");
    };
    add(
        "manifest.toml",
        toml::to_string(manifest).expect("manifest").as_bytes(),
    );
    for (p, t) in files {
        add(&format!("rules/{p}"), t.as_bytes());
    }
    let tar = tar.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

struct Fixtures {
    good: Vec<u8>,
    manifest: pack::Manifest,
    files: Vec<(String, String)>,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let files = pack_files();
        let (good, manifest) =
            pack::build(&files, PACK_DATE, env!("CARGO_PKG_VERSION")).expect("build the pack");
        Fixtures {
            good,
            manifest,
            files,
        }
    })
}

fn fineprint(cache: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(args)
        .current_dir(cwd)
        .env("FINEPRINT_CACHE_DIR", cache)
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env_remove("FINEPRINT_PACK_URL")
        .output()
        .expect("run fineprint")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `fineprint --version`'s line about the knowledge in force.
fn in_force(cache: &Path, cwd: &Path) -> String {
    let o = fineprint(cache, cwd, &["--version"]);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find(|l| l.starts_with("knowledge in force:"))
        .unwrap_or("")
        .to_string()
}

/// Writes `key`'s public half to a `.pub` file in `dir`, for `--trust-key`.
fn key_file(dir: &Path, key: &Key) -> PathBuf {
    let path = dir.join("test-key.pub");
    let text = format!("untrusted comment: test key\n{}\n", key.public());
    std::fs::write(&path, text).expect("write key");
    path
}

/// A bad download, what is served for it, and a word of the message it must give.
#[derive(Clone)]
struct Bad {
    name: &'static str,
    archive: Answer,
    sum: String,
    sig: String,
    extra: Vec<&'static str>,
    expect: &'static str,
}

/// The trusted test key, another key, and the table of bad downloads (made once).
fn bad_cases() -> &'static (Key, Vec<Bad>) {
    static B: OnceLock<(Key, Vec<Bad>)> = OnceLock::new();
    B.get_or_init(|| {
        let key = Key::new();
        let cases = make_bad_cases(&key, &Key::new());
        (key, cases)
    })
}

fn make_bad_cases(key: &Key, other: &Key) -> Vec<Bad> {
    let f = fixtures();
    let good = sign(key, f.good.clone());
    let mut tampered = f.good.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    let mut incompatible = f.manifest.clone();
    incompatible.format = pack::FORMAT + 1;
    let incompatible = sign(key, archive_of(&incompatible, &f.files));
    let mut too_new = f.manifest.clone();
    too_new.fineprint_min = "99.0.0".into();
    too_new.fineprint_below = "100.0.0".into();
    let too_new = sign(key, archive_of(&too_new, &f.files));
    // Knowledge that does not load: a family pointing at a license no file defines.
    let mut broken_files = f.files.clone();
    broken_files.push((
        "models/broken.toml".into(),
        PACK_FAMILY
            .replace("packtest-only", "packtest-broken")
            .replace("cc-by-nc-4.0", "no-such-license")
            .replace("Only-In-Pack", "Broken-Pack"),
    ));
    let (broken, _) =
        pack::build(&broken_files, PACK_DATE, env!("CARGO_PKG_VERSION")).expect("build");
    let broken = sign(key, broken);
    vec![
        Bad {
            name: "one byte changed, checksum recomputed",
            sum: format!("{}  x\n", pack::sha256_hex(&tampered)),
            archive: Answer::Body(tampered.clone()),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "bad signature",
        },
        Bad {
            name: "one byte changed",
            archive: Answer::Body(tampered),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "checksum mismatch",
        },
        Bad {
            name: "signed with a key nobody trusts",
            archive: Answer::Body(good.archive.clone()),
            sum: good.sum.clone(),
            sig: other.sign(&good.archive),
            extra: vec![],
            expect: "made with another key",
        },
        Bad {
            name: "signature that does not parse",
            archive: Answer::Body(good.archive.clone()),
            sum: good.sum.clone(),
            sig: "untrusted comment: x\nnot a signature\n".into(),
            extra: vec![],
            expect: "the signature file does not parse",
        },
        Bad {
            name: "wrong checksum",
            archive: Answer::Body(good.archive.clone()),
            sum: format!("{}  x\n", pack::sha256_hex(b"something else")),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "checksum mismatch",
        },
        Bad {
            name: "checksum file that holds no sum",
            archive: Answer::Body(good.archive.clone()),
            sum: "<html>sorry</html>".into(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "the checksum file is not valid",
        },
        Bad {
            name: "incompatible format",
            archive: Answer::Body(incompatible.archive),
            sum: incompatible.sum,
            sig: incompatible.sig,
            extra: vec![],
            expect: "incompatible pack: pack format 2",
        },
        Bad {
            name: "for another fineprint",
            archive: Answer::Body(too_new.archive),
            sum: too_new.sum,
            sig: too_new.sig,
            extra: vec![],
            expect: "it is for fineprint 99.0.0",
        },
        Bad {
            name: "knowledge that does not load",
            archive: Answer::Body(broken.archive),
            sum: broken.sum,
            sig: broken.sig,
            extra: vec![],
            expect: "no-such-license",
        },
        Bad {
            name: "truncated download",
            archive: Answer::Truncated(good.archive.clone()),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "was cut short",
        },
        Bad {
            name: "404",
            archive: Answer::Status(404),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "HTTP 404 (not found)",
        },
        Bad {
            name: "server error",
            archive: Answer::Status(500),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "HTTP 500 from",
        },
        Bad {
            name: "slow server",
            archive: Answer::Slow(Duration::from_secs(4), good.archive.clone()),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec!["--timeout", "1"],
            expect: "did not answer within 1 s",
        },
        Bad {
            name: "redirect loop",
            archive: Answer::Redirect("/bad.tar.gz".into()),
            sum: good.sum.clone(),
            sig: good.sig.clone(),
            extra: vec![],
            expect: "redirected more than 5 times",
        },
    ]
}

/// Serves each bad download in turn: each is refused with exit 2 and its message, and
/// the knowledge in force (`round`: built in, or a pack installed first) stays.
fn refuse_each_bad_pack(install_first: bool) {
    let server = Server::start();
    let (key, cases) = bad_cases();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let key_path = key_file(dir.path(), key);
    let key_arg = key_path.to_string_lossy().into_owned();
    let url = server.url("/bad.tar.gz");
    let round = if install_first {
        let good = sign(key, fixtures().good.clone());
        server.serve_pack(
            "/good.tar.gz",
            Answer::Body(good.archive),
            &good.sum,
            &good.sig,
        );
        let good_url = server.url("/good.tar.gz");
        let o = fineprint(
            &cache,
            dir.path(),
            &["update", "--from", &good_url, "--trust-key", &key_arg],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        "knowledge pack of 2099-01-01"
    } else {
        "built in"
    };
    for case in cases {
        server.serve_pack("/bad.tar.gz", case.archive.clone(), &case.sum, &case.sig);
        let mut args = vec!["update", "--from", &url, "--trust-key", &key_arg];
        args.extend(&case.extra);
        let o = fineprint(&cache, dir.path(), &args);
        let said = text(&o);
        assert_eq!(o.status.code(), Some(2), "{}: {said}", case.name);
        assert!(
            said.contains(case.expect),
            "{}: expected `{}` in: {said}",
            case.name,
            case.expect
        );
        assert!(
            said.contains("the knowledge in force is unchanged"),
            "{}: {said}",
            case.name
        );
        let now = in_force(&cache, dir.path());
        assert!(now.contains(round), "{} ({round}): now {now}", case.name);
    }
}

#[test]
fn bad_packs_are_refused_and_the_built_in_knowledge_stays() {
    refuse_each_bad_pack(false);
}

#[test]
fn bad_packs_are_refused_and_the_installed_pack_stays() {
    refuse_each_bad_pack(true);
}

#[test]
fn a_good_pack_installs_and_is_then_in_force_for_version_explain_check_and_the_server() {
    let server = Server::start();
    let key = Key::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let key_arg = key_file(dir.path(), &key).to_string_lossy().into_owned();
    let good = sign(&key, fixtures().good.clone());
    server.serve_pack(
        "/p/pack.tar.gz",
        Answer::Body(good.archive.clone()),
        &good.sum,
        &good.sig,
    );
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).expect("ws");
    std::fs::write(
        ws.join("app.py"),
        format!("m = AutoModel.from_pretrained(\"{PACK_MODEL}\")\n"),
    )
    .expect("write app.py");

    // Before: the built-in knowledge, which does not know the model.
    assert_eq!(in_force(&cache, dir.path()), "knowledge in force: built in");
    let o = fineprint(&cache, dir.path(), &["explain", PACK_MODEL]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // Without --trust-key only the release key is trusted: refused.
    let url = server.url("/p/pack.tar.gz");
    let o = fineprint(&cache, dir.path(), &["update", "--from", &url]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("another key than the release key"),
        "{}",
        text(&o)
    );

    let o = fineprint(
        &cache,
        dir.path(),
        &["update", "--from", &url, "--trust-key", &key_arg],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("installed the knowledge pack of 2099-01-01"),
        "{}",
        text(&o)
    );

    let version =
        String::from_utf8_lossy(&fineprint(&cache, dir.path(), &["--version"]).stdout).into_owned();
    assert!(version.contains("knowledge of 2099-01-01"), "{version}");
    assert!(
        version.contains(&format!(
            "knowledge in force: knowledge pack of 2099-01-01 from {url}"
        )),
        "{version}"
    );
    let o = fineprint(&cache, dir.path(), &["explain", PACK_MODEL]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let card = text(&o);
    assert!(card.contains("Pack Test Model"), "{card}");
    assert!(
        card.contains(&format!(
            "Knowledge in force: knowledge pack of 2099-01-01 from {url}"
        )),
        "{card}"
    );
    let o = fineprint(&cache, &ws, &["check", ".", "--format", "concise"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "non-commercial under the default policy: {}",
        text(&o)
    );
    assert!(text(&o).contains("non-commercial"), "{}", text(&o));

    // The language server loads the same knowledge at start-up.
    let mut c = common::Client::start_with_env(
        &ws,
        &[
            ("FINEPRINT_NO_EVIDENCE", std::ffi::OsStr::new("1")),
            ("FINEPRINT_CACHE_DIR", cache.as_os_str()),
        ],
    );
    c.initialize(&ws, serde_json::json!({}), serde_json::json!({}));
    let uri = common::file_uri(&ws.join("app.py"));
    c.open(
        &uri,
        "python",
        &format!("m = AutoModel.from_pretrained(\"{PACK_MODEL}\")\n"),
    );
    let d = c.diagnostics_until(&uri, |d| {
        d.as_array()
            .is_some_and(|a| a.iter().any(|x| x["code"] == "non-commercial"))
    });
    assert!(d.to_string().contains("non-commercial"), "{d}");
    c.shutdown();

    // The same pack again: verified, not newer, nothing changed.
    let o = fineprint(
        &cache,
        dir.path(),
        &["update", "--from", &url, "--trust-key", &key_arg],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("is not newer than the knowledge pack installed"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_pack_behind_a_redirect_installs() {
    let server = Server::start();
    let key = Key::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let key_arg = key_file(dir.path(), &key).to_string_lossy().into_owned();
    let good = sign(&key, fixtures().good.clone());
    server.serve_pack(
        "/storage/pack.tar.gz",
        Answer::Body(good.archive),
        &good.sum,
        &good.sig,
    );
    for suffix in ["", ".sha256", ".minisig"] {
        server.serve(
            &format!("/latest/pack.tar.gz{suffix}"),
            Answer::Redirect(format!("/storage/pack.tar.gz{suffix}")),
        );
    }
    let url = server.url("/latest/pack.tar.gz");
    let o = fineprint(
        &cache,
        dir.path(),
        &["update", "--from", &url, "--trust-key", &key_arg],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(in_force(&cache, dir.path()).contains("knowledge pack of 2099-01-01"));
}

#[test]
fn the_url_comes_from_the_environment_then_the_policy() {
    let server = Server::start();
    let key = Key::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let key_arg = key_file(dir.path(), &key).to_string_lossy().into_owned();
    let good = sign(&key, fixtures().good.clone());
    server.serve_pack(
        "/policy.tar.gz",
        Answer::Body(good.archive),
        &good.sum,
        &good.sig,
    );
    std::fs::write(
        dir.path().join("fineprint.toml"),
        format!(
            "knowledge_pack_url = \"{}\"\n",
            server.url("/policy.tar.gz")
        ),
    )
    .expect("policy");
    // FINEPRINT_PACK_URL wins over the policy: it names a path the server does not have.
    let o = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(["update", "--trust-key", &key_arg])
        .current_dir(dir.path())
        .env("FINEPRINT_CACHE_DIR", &cache)
        .env("FINEPRINT_PACK_URL", server.url("/env.tar.gz"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("HTTP 404 (not found) from"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("/env.tar.gz"), "{}", text(&o));
    let o = fineprint(&cache, dir.path(), &["update", "--trust-key", &key_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("/policy.tar.gz"), "{}", text(&o));
}

#[test]
fn a_damaged_cache_falls_back_to_the_built_in_knowledge_with_a_note() {
    let server = Server::start();
    let key = Key::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let key_arg = key_file(dir.path(), &key).to_string_lossy().into_owned();
    let good = sign(&key, fixtures().good.clone());
    server.serve_pack(
        "/pack.tar.gz",
        Answer::Body(good.archive),
        &good.sum,
        &good.sig,
    );
    let url = server.url("/pack.tar.gz");
    type Damage = fn(&Path);
    let cases: [(&str, Damage, &str); 4] = [
        (
            "a byte of the archive changed",
            |k| {
                let p = archive_in(k);
                let mut b = std::fs::read(&p).expect("read");
                let at = b.len() / 3;
                b[at] ^= 0xff;
                std::fs::write(&p, b).expect("write");
            },
            "is damaged",
        ),
        (
            "the archive deleted",
            |k| std::fs::remove_file(archive_in(k)).expect("remove"),
            "the installed knowledge pack is not used",
        ),
        (
            "the record cut in half",
            |k| {
                let p = k.join("current.json");
                let t = std::fs::read(&p).expect("read");
                std::fs::write(&p, &t[..t.len() / 2]).expect("write");
            },
            "its record is damaged",
        ),
        (
            "the record names a file outside the folder",
            |k| {
                let p = k.join("current.json");
                let t = std::fs::read_to_string(&p).expect("read");
                let v: serde_json::Value = serde_json::from_str(&t).expect("json");
                let mut v = v;
                v["file"] = serde_json::json!("../../etc/passwd");
                std::fs::write(&p, v.to_string()).expect("write");
            },
            "its record names",
        ),
    ];
    for (name, damage, expect) in cases {
        let cache = dir.path().join(name.replace(' ', "-"));
        let o = fineprint(
            &cache,
            dir.path(),
            &["update", "--from", &url, "--trust-key", &key_arg],
        );
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
        assert!(
            in_force(&cache, dir.path()).contains("knowledge pack"),
            "{name}"
        );
        damage(&cache.join("knowledge"));
        let o = fineprint(&cache, dir.path(), &["--version"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
        let said = text(&o);
        assert!(
            said.contains("knowledge in force: built in"),
            "{name}: {said}"
        );
        assert!(
            said.contains(expect),
            "{name}: expected `{expect}` in {said}"
        );
        // A check still works, on the built-in knowledge.
        let o = fineprint(&cache, dir.path(), &["explain", "apache-2.0"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
    }
}

/// The installed archive in a cache's knowledge folder.
fn archive_in(knowledge: &Path) -> PathBuf {
    std::fs::read_dir(knowledge)
        .expect("knowledge folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "gz"))
        .expect("an installed archive")
}

#[test]
fn rules_pack_writes_an_archive_that_holds_the_built_in_knowledge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let o = fineprint(&cache, dir.path(), &["rules", "pack", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let archive = std::fs::read(dir.path().join("out").join(pack::ARCHIVE_NAME)).expect("archive");
    let sum = std::fs::read_to_string(
        dir.path()
            .join("out")
            .join(format!("{}.sha256", pack::ARCHIVE_NAME)),
    )
    .expect("sum");
    pack::verify_checksum(&archive, &sum).expect("the sum is the archive's");
    let opened = pack::open(&archive).expect("opens");
    let embedded = fineprint::kb::embedded_files();
    assert_eq!(opened.files.len(), embedded.len());
    for ((p, t), (ep, et)) in opened.files.iter().zip(embedded) {
        assert_eq!((p.as_str(), t.as_str()), (*ep, *et));
    }
    assert_eq!(
        opened.manifest.knowledge_date,
        fineprint::kb::embedded_date()
    );
    // A rules folder with a problem makes no pack.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(bad.join("models")).expect("mkdir");
    std::fs::write(bad.join("models/x.toml"), "[[family]]\nid = 3\n").expect("write");
    let o = fineprint(
        &cache,
        dir.path(),
        &["rules", "pack", "bad", "--out", "out2"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!dir.path().join("out2").exists());
}
