//! The `fineprint` command line: `check`, `baseline`, `init`, `explain`, `rules check`,
//! `rules pack`, `update`, `sync`, `lsp`, `completions`.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use fineprint::findings::Severity;
use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;

#[derive(Parser)]
#[command(
    name = "fineprint",
    version,
    about = "Finds machine-learning model references in code and config and tells you what their licenses allow."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// For terminals: one block per decision, then a table of models.
    Human,
    /// One line per finding and place: `path:line:col: severity[code] model: message`.
    Concise,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// The JSON report (docs/json.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// A CycloneDX 1.6 machine-learning bill of materials.
    Cyclonedx,
    /// An SPDX 3.0.1 document (JSON-LD) with the AI profile.
    Spdx,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    /// Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR or CLICOLOR_FORCE force it.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Exit 1 on warnings as well as errors.
    Warnings,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and folders (default: the current folder).
    Check {
        /// Files or folders to check.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Policy file (default: fineprint.toml or pyproject.toml [tool.fineprint], found from the first path upward).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Use no policy file: the default policy (commercial use, tests and fixtures at information level).
        #[arg(long, conflicts_with = "config")]
        no_config: bool,
        /// With `-` as the path: the file name of the text read from standard input (its kind, its place for the policy, its name in the report).
        #[arg(long, value_name = "PATH")]
        stdin_filename: Option<PathBuf>,
        /// Extra rules folder (same layout as rules/), added to the built-in rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// List every finding at every place and every reference, also those without findings (human format); with sarif, also report hints.
        #[arg(long)]
        all: bool,
        /// Print how many places each finding code is reported at, instead of the findings (human and concise formats).
        #[arg(long)]
        statistics: bool,
        /// Print only the summary line (human and concise formats).
        #[arg(short, long)]
        quiet: bool,
        /// When to colour the human format.
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorArg,
        /// Also fail (exit 1) on warnings.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
        /// Report only findings that are not in this baseline file, or changed since (default: fineprint-baseline.json next to the policy file, else in the folder checked, when it exists).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Ignore any baseline file: report every finding.
        #[arg(long, conflicts_with_all = ["baseline", "baseline_diff"])]
        no_baseline: bool,
        /// Print the models added, removed and whose license changed since the baseline, instead of the findings (human, concise, github or json format).
        #[arg(long)]
        baseline_diff: bool,
        /// Ask the Hugging Face Hub about Hub ids the offline knowledge cannot resolve (cached on disk; see docs/online.md).
        #[arg(long)]
        online: bool,
    },
    /// Write (or update) the baseline file: every finding at every severity and the model inventory of the project, which `check` then leaves out of its report.
    Baseline {
        /// The project's folder (default: the current folder).
        path: Option<PathBuf>,
        /// Where to write it (default: fineprint-baseline.json next to the policy file, else in PATH).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Policy file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Use no policy file: the default policy.
        #[arg(long, conflicts_with = "config")]
        no_config: bool,
        /// Extra rules folder.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Print a completion script for a shell (`fineprint completions bash > ~/.local/share/bash-completion/completions/fineprint`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Fetch from the Hugging Face Hub, into the cache, what `check --online` would ask
    /// about the references of a project (for CI caches; see docs/online.md).
    Sync {
        /// Files or folders (default: the current folder).
        paths: Vec<PathBuf>,
        /// Policy file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Extra rules folder.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Write a commented fineprint.toml for this project, with a baseline of exceptions
    /// for what is found at error severity today (they expire in 90 days).
    Init {
        /// The project's folder (default: the current folder).
        path: Option<PathBuf>,
        /// Replace an existing fineprint.toml (or add one beside a pyproject.toml policy).
        #[arg(long)]
        force: bool,
        /// Extra rules folder.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Print the license card of a model id or license id.
    Explain {
        /// A model (`meta-llama/Llama-3.1-8B`, `llama3.1:8b`, `gpt-4o`, a `.gguf` name) or a license id (`llama3.1`).
        subject: Option<String>,
        /// Policy file, to show what the policy makes of the model.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Extra rules folder.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// List every license id instead.
        #[arg(long)]
        list: bool,
        /// Print the card as Markdown (default: plain text for a terminal).
        #[arg(long)]
        markdown: bool,
        /// Ask the Hugging Face Hub about a Hub id the offline knowledge cannot resolve (see docs/online.md).
        #[arg(long)]
        online: bool,
    },
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Log level for stderr (error, warn, info, debug, trace); also FINEPRINT_LOG.
        #[arg(long)]
        log_level: Option<String>,
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Work with the knowledge base.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Download, verify and install the latest knowledge pack (docs/knowledge-packs.md).
    /// The only command besides online features that uses the network.
    Update {
        /// The pack's URL (default: FINEPRINT_PACK_URL, else the policy's
        /// knowledge_pack_url, else the project's latest release).
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        /// Also accept packs signed with this minisign public key (base64, or a .pub
        /// file): for a mirror or an organisation that signs its own packs.
        #[arg(long, value_name = "KEY")]
        trust_key: Vec<String>,
        /// Seconds allowed for each download.
        #[arg(long, default_value_t = 60, value_name = "SECONDS")]
        timeout: u64,
        /// Policy file to read knowledge_pack_url from.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RulesAction {
    /// Validate the knowledge base: sources, dates, examples, pattern ties.
    Check {
        /// Extra rules folder to validate with the built-in rules.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Print the catalogue of licenses and families (docs/models.md) as Markdown.
    Docs,
    /// Build a knowledge pack (archive and .sha256) from a complete rules folder, or from
    /// the knowledge built into this binary; the release signs it with minisign.
    Pack {
        /// A complete rules folder (same layout as rules/); default: the built-in knowledge.
        dir: Option<PathBuf>,
        /// Folder to write fineprint-knowledge.tar.gz and its .sha256 into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// The knowledge in force (the built-in base, or a newer knowledge pack installed by
/// `fineprint update`), plus a rules folder; a pack that cannot be used is said on
/// stderr.
fn load_kb(extra: Option<&PathBuf>) -> Result<KnowledgeBase, String> {
    let f = fineprint::update::in_force(extra.map(PathBuf::as_path)).map_err(|e| e.to_string())?;
    if let Some(note) = f.note {
        eprintln!("{note}");
    }
    Ok(f.kb)
}

/// The folder a check starts from (where the policy is looked for): `first` when it
/// is a folder, else the folder it is in; absolute when it exists. (As `check` finds
/// it for its first path.)
fn start_folder(first: Option<&PathBuf>) -> PathBuf {
    let start = first.map_or_else(
        || PathBuf::from("."),
        |p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map_or_else(
                    || PathBuf::from("."),
                    |x| {
                        if x.as_os_str().is_empty() {
                            PathBuf::from(".")
                        } else {
                            x.to_path_buf()
                        }
                    },
                )
            }
        },
    );
    start.canonicalize().unwrap_or(start)
}

/// What a command asks the Hub with, when `on` (its `--online` or the policy's
/// `online`), and the evidence store that uses it.
fn online_store(
    policy: &Policy,
    on: bool,
) -> (
    Option<std::sync::Arc<fineprint::online::Online>>,
    fineprint::evidence::Store,
) {
    let online = on.then(|| {
        fineprint::online::Online::new(
            fineprint::online::Settings::from_env(policy.online_max_age_days),
            fineprint::online::Mode::Fetch,
        )
    });
    let store = fineprint::evidence::Store::new(fineprint::evidence::Roots::from_env(), None)
        .with_online(online.clone());
    (online, store)
}

/// A path as shown to the user: relative to the working directory when it is inside it.
fn shown_path(p: &std::path::Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|cwd| {
        p.strip_prefix(cwd.canonicalize().unwrap_or(cwd))
            .ok()
            .map(|r| r.to_path_buf())
    });
    match rel {
        Some(r) if !r.as_os_str().is_empty() => r.display().to_string(),
        _ => p.display().to_string(),
    }
}

/// Loads the knowledge base and the policy; a policy may add a rules folder.
fn load(
    config: Option<&PathBuf>,
    rules: Option<&PathBuf>,
    start: &std::path::Path,
) -> Result<(KnowledgeBase, Policy), String> {
    let kb = load_kb(rules)?;
    let policy = match config {
        Some(c) => Policy::from_file(c, &kb).map_err(|e| format!("error: invalid policy: {e}"))?,
        None => Policy::discover(start, &kb)
            .map_err(|e| format!("error: invalid policy: {e}"))?
            .unwrap_or_default(),
    };
    if let (Some(dir), None) = (&policy.rules_dir, rules) {
        let kb = load_kb(Some(dir))?;
        // Re-parse so that license ids of the extra rules are known to the policy.
        let policy = match &policy.file {
            Some(f) => {
                Policy::from_file(f, &kb).map_err(|e| format!("error: invalid policy: {e}"))?
            }
            None => policy,
        };
        return Ok((kb, policy));
    }
    Ok((kb, policy))
}

/// `check::run`, with a progress line on stderr when stderr is a terminal and the walk
/// has run for a second (`FINEPRINT_PROGRESS_DELAY_MS` changes the delay): files and
/// megabytes read, seconds elapsed, redrawn at most ten times a second and erased when
/// the walk ends. Nothing is written when stderr is not a terminal (pipes, CI logs).
fn check_with_progress(
    paths: &[PathBuf],
    kb: &KnowledgeBase,
    policy: &Policy,
    store: &fineprint::evidence::Store,
) -> fineprint::check::Report {
    let progress = fineprint::check::Progress::default();
    if !std::io::stderr().is_terminal() {
        return fineprint::check::run_counted_with(paths, kb, policy, &progress, store);
    }
    let delay = std::env::var("FINEPRINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis);
    let (done, finished) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let progress = &progress;
        scope.spawn(move || progress_line(progress, &finished, delay));
        let report = fineprint::check::run_counted_with(paths, kb, policy, progress, store);
        drop(done);
        report
    })
}

/// Draws the progress line until `finished` is closed, then erases it.
fn progress_line(
    progress: &fineprint::check::Progress,
    finished: &std::sync::mpsc::Receiver<()>,
    delay: Duration,
) {
    use std::io::Write as _;
    let start = Instant::now();
    let mut width = 0usize;
    loop {
        let elapsed = start.elapsed();
        if elapsed >= delay {
            width = width.max(draw_progress(progress, elapsed, width));
        }
        // Returns at once when the walk ends, so the line never delays it.
        if !matches!(
            finished.recv_timeout(Duration::from_millis(100)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        ) {
            break;
        }
    }
    if width > 0 {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{:width$}\r", "");
        let _ = err.flush();
    }
}

/// Writes the line over the previous one (`width` wide); returns its width.
fn draw_progress(progress: &fineprint::check::Progress, elapsed: Duration, width: usize) -> usize {
    use std::io::Write as _;
    use std::sync::atomic::Ordering::Relaxed;
    let line = format!(
        "checking: {} files, {:.1} MB, {:.1} s",
        progress.files.load(Relaxed),
        progress.bytes.load(Relaxed) as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    // Carriage return and padding (no escape sequences): works on any terminal.
    let pad = width.saturating_sub(line.len());
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{line}{:pad$}", "");
    let _ = err.flush();
    line.len()
}

/// The exit code when the reader of standard output goes away: the code the command
/// would have ended with (`check` sets it to 1 when it found errors before it writes),
/// so that a pipe closed early never turns a failing check into a passing one.
static BROKEN_PIPE_EXIT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Writes to standard output; a reader that went away (`fineprint check | head -1`)
/// ends the process quietly, with no message and the code in [`BROKEN_PIPE_EXIT`],
/// instead of a panic; any other write error ends it with code 2 and a message.
fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        stdout_failed(&e);
    }
}

/// Ends the process after a failed write to standard output: quietly with the code in
/// [`BROKEN_PIPE_EXIT`] when the reader went away, with code 2 and a message otherwise.
fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(BROKEN_PIPE_EXIT.load(std::sync::atomic::Ordering::Relaxed));
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(2);
}

macro_rules! outln {
    () => { write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

macro_rules! out {
    ($($arg:tt)*) => { write_stdout(format_args!($($arg)*)) };
}

/// `fineprint 0.1.0`, then the knowledge in force: its date and counts, and where it
/// comes from (built in, or a knowledge pack with its source).
fn version_text() -> String {
    let head = format!("fineprint {}", env!("CARGO_PKG_VERSION"));
    match load_kb(None) {
        Ok(kb) => {
            let packages: Vec<&str> = kb
                .generated
                .sources
                .iter()
                .map(|s| s.package.as_str())
                .collect();
            let from = if packages.is_empty() {
                String::new()
            } else {
                format!(" ({})", packages.join(", "))
            };
            format!(
                "{head}\nknowledge of {}: {} licenses, {} model families, {} generated ids{from}\nknowledge in force: {}",
                kb.date(),
                kb.licenses.len(),
                kb.families.len(),
                kb.generated.entries.len(),
                kb.origin.describe(),
            )
        }
        Err(e) => format!("{head}\nthe knowledge base does not load: {e}"),
    }
}

/// The last line of an `explain` card: which knowledge answered.
fn knowledge_line(kb: &KnowledgeBase) -> String {
    match kb.origin {
        fineprint::kb::Origin::Embedded => {
            format!("Knowledge in force: built in (knowledge of {}).", kb.date())
        }
        fineprint::kb::Origin::Pack(_) => format!("Knowledge in force: {}.", kb.origin.describe()),
    }
}

fn main() -> ExitCode {
    // `--version` alone prints the knowledge base's date and counts too; loading the
    // base costs milliseconds, so clap's own flag (kept for `--help`) is not used.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let [_, flag] = args.as_slice()
        && (flag == "--version" || flag == "-V")
    {
        outln!("{}", version_text());
        return ExitCode::SUCCESS;
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{}", msg.trim_end());
            ExitCode::from(2)
        }
    }
}

/// The text of standard input for `check -`, with the kind of `--stdin-filename`: `-`
/// alone, a name of a kind fineprint reads, at most the file size limit of UTF-8.
fn read_stdin_for(
    paths: &[PathBuf],
    name: Option<&std::path::Path>,
) -> Result<(String, fineprint::detect::FileKind), String> {
    use std::io::Read as _;
    if paths.len() != 1 {
        return Err("error: `-` (standard input) cannot be checked with other paths".into());
    }
    let Some(name) = name else {
        return Err(
            "error: `-` reads standard input: give its file name with --stdin-filename (e.g. --stdin-filename src/app.py)".into(),
        );
    };
    let kind = fineprint::detect::FileKind::from_path(name).ok_or_else(|| {
        format!(
            "error: --stdin-filename {}: not a kind of file fineprint reads (docs/detection.md lists them)",
            name.display()
        )
    })?;
    let limit = fineprint::check::MAX_FILE_SIZE;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("error: standard input: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "error: standard input: larger than the {} MiB file limit",
            limit / (1024 * 1024)
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "error: standard input: not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((text, kind))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check {
            paths,
            format,
            config,
            no_config,
            stdin_filename,
            rules,
            all,
            statistics,
            quiet,
            color,
            deny,
            baseline,
            no_baseline,
            baseline_diff,
            online,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let stdin = paths.iter().any(|p| p.as_os_str() == "-");
            let stdin_text = if stdin {
                Some(read_stdin_for(&paths, stdin_filename.as_deref())?)
            } else {
                if stdin_filename.is_some() {
                    return Err(
                        "error: --stdin-filename names the text of `-`: give `-` as the path"
                            .into(),
                    );
                }
                None
            };
            // A path that does not exist is a usage error (exit 2), not a file skipped:
            // a CI job that names a wrong folder must not pass.
            if let Some(p) = paths
                .iter()
                .filter(|_| !stdin)
                .find(|p| std::fs::symlink_metadata(p).is_err())
            {
                return Err(format!("error: {}: no such file or folder", p.display()));
            }
            let first = match (&stdin_text, &stdin_filename) {
                (Some(_), Some(name)) => Some(name.clone()),
                _ => paths.first().cloned(),
            };
            let start = start_folder(first.as_ref());
            let (kb, policy) = if no_config {
                (load_kb(rules.as_ref())?, Policy::default())
            } else {
                load(config.as_ref(), rules.as_ref(), &start)?
            };
            // The baseline: named, or found next to the policy file (else in the folder
            // checked); a file there that is not a baseline is an error, never ignored.
            let baseline_file = if no_baseline {
                None
            } else if let Some(b) = baseline {
                Some(b)
            } else {
                let p = fineprint::baseline::default_path(&policy, &start);
                std::fs::symlink_metadata(&p).is_ok().then_some(p)
            };
            let baseline = match &baseline_file {
                Some(f) => Some(
                    fineprint::baseline::read(f)
                        .map_err(|e| format!("error: invalid baseline: {e}"))?,
                ),
                None if baseline_diff => {
                    return Err(format!(
                        "error: --baseline-diff needs a baseline: write one with `fineprint baseline` (it goes to {}) or name one with --baseline FILE",
                        shown_path(&fineprint::baseline::default_path(&policy, &start))
                    ));
                }
                None => None,
            };
            if baseline_diff && matches!(format, Format::Sarif | Format::Cyclonedx) {
                return Err(
                    "error: --baseline-diff prints in the human, concise, github or json format"
                        .into(),
                );
            }
            let (online, store) = online_store(&policy, online || policy.online);
            let mut report = match (&stdin_text, &stdin_filename) {
                (Some((text, kind)), Some(name)) => {
                    fineprint::check::run_text(text, name, *kind, &kb, &policy)
                }
                _ => check_with_progress(&paths, &kb, &policy, &store),
            };
            for m in online.iter().flat_map(|o| o.take_messages()) {
                eprintln!("warning: {m}");
            }
            if let (Some(b), Some(f)) = (&baseline, &baseline_file) {
                fineprint::baseline::without_file(&mut report, f);
                if baseline_diff {
                    let now = fineprint::baseline::inventory(&report, &kb);
                    let drift =
                        fineprint::baseline::drift(b, &now, std::path::Path::new(&shown_path(f)));
                    let text = match format {
                        Format::Json => serde_json::to_string_pretty(&drift)
                            .map_err(|e| format!("error: {e}"))?,
                        Format::Github => fineprint::baseline::drift_github(&drift),
                        _ => fineprint::baseline::drift_text(&drift),
                    };
                    outln!("{}", text.trim_end());
                    return Ok(ExitCode::SUCCESS);
                }
                fineprint::baseline::apply(&mut report, b, &kb, f);
                if let Some(a) = &mut report.baseline {
                    a.file = shown_path(f);
                }
            }
            // The folder checked, when there is exactly one: the base of SARIF URIs
            // and the subject of the bill of materials.
            let root = match paths.as_slice() {
                [one] if one.is_dir() => one.canonicalize().ok(),
                _ => None,
            };
            let failed = report.count(Severity::Error) > 0
                || (deny == Some(Deny::Warnings) && report.count(Severity::Warning) > 0);
            BROKEN_PIPE_EXIT.store(i32::from(failed), std::sync::atomic::Ordering::Relaxed);
            // Written as it is made (a large report is never held whole as text), with
            // its trailing white space trimmed and one line end.
            use fineprint::render::color::{Choice, decide};
            let color = decide(
                match color {
                    ColorArg::Auto => Choice::Auto,
                    ColorArg::Always => Choice::Always,
                    ColorArg::Never => Choice::Never,
                },
                |k| std::env::var(k).ok(),
                std::io::stdout().is_terminal(),
            );
            let brief = fineprint::render::human::Options {
                color,
                all,
                statistics,
                quiet,
            };
            let mut out = fineprint::render::TrimEnd::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout().lock(),
            ));
            let written = match format {
                Format::Json => fineprint::render::json::render_to(&mut out, &report, &kb, &policy),
                Format::Sarif => fineprint::render::sarif::render_to(
                    &mut out,
                    &report,
                    &kb,
                    &policy,
                    &fineprint::render::sarif::Options { root, all },
                ),
                Format::Cyclonedx => fineprint::render::cyclonedx::render_to(
                    &mut out,
                    &report,
                    &kb,
                    &policy,
                    &fineprint::render::cyclonedx::Options::from_env(root),
                ),
                Format::Spdx => fineprint::render::spdx::render_to(
                    &mut out,
                    &report,
                    &kb,
                    &policy,
                    &fineprint::render::cyclonedx::Options::from_env(root),
                ),
                Format::Human => {
                    fineprint::render::human::render_to(&mut out, &report, &kb, &policy, brief)
                }
                Format::Concise if quiet || statistics => {
                    fineprint::render::human::render_to(&mut out, &report, &kb, &policy, brief)
                }
                Format::Concise => {
                    fineprint::render::concise::render_to(&mut out, &report, &policy)
                }
                Format::Github => fineprint::render::github::render_to(&mut out, &report, &policy),
            };
            if let Err(e) = written.and_then(|()| out.finish()) {
                stdout_failed(&e);
            }
            // The process ends here: freeing the report and the knowledge base piece by
            // piece costs milliseconds that the system's release of the memory does not.
            std::mem::forget(report);
            std::mem::forget(kb);
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Baseline {
            path,
            output,
            config,
            no_config,
            rules,
        } => {
            let dir = path.unwrap_or_else(|| PathBuf::from("."));
            if std::fs::symlink_metadata(&dir).is_err() {
                return Err(format!("error: {}: no such file or folder", dir.display()));
            }
            let start = start_folder(Some(&dir));
            let (kb, policy) = if no_config {
                (load_kb(rules.as_ref())?, Policy::default())
            } else {
                load(config.as_ref(), rules.as_ref(), &start)?
            };
            let file = output.unwrap_or_else(|| fineprint::baseline::default_path(&policy, &start));
            // The policy's `online = true` applies here as in `check`, so the baseline
            // holds what `check` reports.
            let (online, store) = online_store(&policy, policy.online);
            let mut report = check_with_progress(std::slice::from_ref(&dir), &kb, &policy, &store);
            for m in online.iter().flat_map(|o| o.take_messages()) {
                eprintln!("warning: {m}");
            }
            fineprint::baseline::without_file(&mut report, &file);
            let new = fineprint::baseline::of_report(&report, &kb, &file);
            // What changed since the baseline it replaces (an unreadable one is replaced).
            let old = std::fs::symlink_metadata(&file)
                .is_ok()
                .then(|| fineprint::baseline::read(&file).ok())
                .flatten();
            let text = fineprint::baseline::to_text(&new);
            std::fs::write(&file, text)
                .map_err(|e| format!("error: cannot write the baseline {}: {e}", file.display()))?;
            let count = |s: Severity| new.findings.iter().filter(|e| e.severity == s).count();
            outln!(
                "wrote {}: {} finding(s) ({} error(s), {} warning(s), {} information, {} hint(s)) and {} model(s)",
                shown_path(&file),
                new.findings.len(),
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Information),
                count(Severity::Hint),
                new.models.len()
            );
            if let Some(old) = old {
                let had: std::collections::HashSet<&str> = old
                    .findings
                    .iter()
                    .map(|e| e.fingerprint.as_str())
                    .collect();
                let has: std::collections::HashSet<&str> = new
                    .findings
                    .iter()
                    .map(|e| e.fingerprint.as_str())
                    .collect();
                let drift = fineprint::baseline::drift(&old, &new.models, &file);
                outln!(
                    "since the baseline it replaces: {} finding(s) added, {} gone; {} model(s) added, {} removed, {} whose license changed",
                    has.difference(&had).count(),
                    had.difference(&has).count(),
                    drift.added.len(),
                    drift.removed.len(),
                    drift.changed.len()
                );
            }
            outln!(
                "`fineprint check` now reports only findings that are not in it; commit it with the policy."
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "fineprint", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { path, force, rules } => {
            let dir = path.unwrap_or_else(|| PathBuf::from("."));
            let kb = load_kb(rules.as_ref())?;
            let done = fineprint::init::run(&dir, &kb, force).map_err(|e| e.to_string())?;
            outln!(
                "wrote {}: {} model reference(s); {} exception(s) for models at error severity, expiring {}.",
                done.path.display(),
                done.references,
                done.exceptions,
                done.expires
            );
            if done.exceptions > 0 {
                outln!(
                    "They are a baseline, not a review: read the file, then run `fineprint check`."
                );
            } else {
                outln!("Read the file, then run `fineprint check`.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain {
            subject,
            config,
            rules,
            list,
            markdown,
            online,
        } => {
            let show = |card: String| {
                if markdown {
                    card
                } else {
                    fineprint::explain::to_terminal(&card)
                }
            };
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let (kb, policy) = load(config.as_ref(), rules.as_ref(), &here)?;
            if list {
                for l in &kb.licenses {
                    outln!("{:<40} {}", l.id, l.name);
                }
                return Ok(ExitCode::SUCCESS);
            }
            let Some(subject) = subject else {
                return Err("error: name a model or a license, e.g. `fineprint explain meta-llama/Llama-3.1-8B` (or use --list)".into());
            };
            // What this machine holds about the model (cache, GGUF file, Ollama store).
            let resolved = fineprint::resolve::resolve_str(&kb, &subject).map(|r| {
                let mut refs = [r];
                let (online, store) = online_store(&policy, online || policy.online);
                let place = fineprint::evidence::Place {
                    dir: Some(here.clone()),
                    root: Some(here.clone()),
                };
                fineprint::evidence::weigh::attach(
                    &mut refs,
                    &subject,
                    fineprint::detect::FileKind::Python,
                    &kb,
                    &store,
                    &place,
                );
                for m in online.iter().flat_map(|o| o.take_messages()) {
                    eprintln!("warning: {m}");
                }
                let [r] = refs;
                r
            });
            if let Some(r) = resolved
                && (r.resolution.is_some()
                    || r.evidence.as_ref().is_some_and(|e| e.fetched.is_some()))
            {
                let d =
                    fineprint::findings::evaluate(&r, &kb, &policy, &fineprint::policy::today());
                outln!(
                    "{}",
                    show(fineprint::card::reference_card(&r, &kb, &d)).trim_end()
                );
                outln!("\n{}", knowledge_line(&kb));
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(l) = kb.license(&subject) {
                outln!("{}", show(fineprint::card::license_card(l)).trim_end());
                outln!("\n{}", knowledge_line(&kb));
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(code) = fineprint::codes::Code::parse(subject.trim()) {
                outln!(
                    "{}",
                    show(fineprint::explain::code_card(code, &policy)).trim_end()
                );
                return Ok(ExitCode::SUCCESS);
            }
            // A short family name (`flux`, `llama`): the families it starts, each with
            // its license; never one card for models licensed differently.
            if let Some(overview) = fineprint::explain::family_overview(&kb, &subject) {
                outln!("{}", show(overview).trim_end());
                outln!("\n{}", knowledge_line(&kb));
                return Ok(ExitCode::SUCCESS);
            }
            let near = fineprint::explain::suggestions(&kb, &subject);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("\ndid you mean: {}?", near.join(", "))
            };
            Err(format!(
                "error: `{subject}` is neither a model fineprint knows, a license id nor a finding code.{hint}\nfineprint knows {} model families and {} licenses; `fineprint explain --list` lists the licenses. To teach it a model, add a rule (rules/README.md) and pass --rules DIR.",
                kb.families.len(),
                kb.licenses.len()
            ))
        }
        Command::Sync {
            paths,
            config,
            rules,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            if let Some(p) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
                return Err(format!("error: {}: no such file or folder", p.display()));
            }
            let start = paths
                .first()
                .filter(|p| p.is_dir())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let (kb, policy) = load(config.as_ref(), rules.as_ref(), &start)?;
            let online = fineprint::online::Online::new(
                fineprint::online::Settings::from_env(policy.online_max_age_days),
                fineprint::online::Mode::Fetch,
            );
            let summary = fineprint::online::sync::run(&paths, &kb, &policy, &online);
            for line in &summary.lines {
                outln!("{line}");
            }
            for m in online.take_messages() {
                eprintln!("warning: {m}");
            }
            let cache = online
                .settings()
                .cache_dir
                .as_ref()
                .map_or("no cache folder".to_string(), |d| d.display().to_string());
            outln!(
                "{} model id(s) from {}: {} fetched, {} fresh in the cache, {} failed (cache: {cache})",
                summary.lines.len(),
                online.settings().endpoint,
                summary.fetched,
                summary.cached,
                summary.failed
            );
            Ok(if summary.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Lsp {
            log_level,
            stdio: _,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| format!("error: cannot start the runtime: {e}"))?;
            let served = rt.block_on(fineprint::lsp::serve_stdio(log_level));
            // The stdin reader may still be blocked in a read that will never finish
            // (clients need not close stdin after `exit`): do not wait for it.
            rt.shutdown_background();
            // Exit code 1 for `exit` without `shutdown`, as the protocol asks.
            Ok(if served? {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Rules {
            action: RulesAction::Check { rules },
        } => {
            let kb = load_kb(rules.as_ref())?;
            let problems = fineprint::rules_check::validate(&kb);
            for p in &problems {
                outln!("{}: {}", p.file, p.message);
            }
            let disagreements = fineprint::rules_check::disagreements(&kb);
            if !disagreements.is_empty() {
                outln!(
                    "{} id(s) on which two sources disagree (a curated rule naming the repository wins; a name-inherited answer and an index, or two indexes: the stricter applies):",
                    disagreements.len()
                );
                for d in &disagreements {
                    outln!(
                        "  {}: {} says `{}`, {} says `{}`",
                        d.id,
                        d.generated.0,
                        d.generated.1,
                        d.other.0,
                        d.other.1
                    );
                }
            }
            let c = fineprint::rules_check::coverage(&kb);
            outln!(
                "resolvable ids: {} (Hugging Face ids {}, API names {}, Ollama names {}, model files {}, library-native names {})",
                c.total(),
                c.hf,
                c.api,
                c.ollama,
                c.files,
                c.library
            );
            outln!(
                "{} license(s), {} model familie(s), {} generated index(es) with {} id(s), knowledge of {}: {} problem(s)",
                kb.licenses.len(),
                kb.families.len(),
                kb.generated.sources.len(),
                kb.generated.entries.len(),
                kb.date(),
                problems.len()
            );
            Ok(if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Rules {
            action: RulesAction::Pack { dir, out },
        } => rules_pack(dir.as_deref(), &out),
        Command::Update {
            from,
            trust_key,
            timeout,
            config,
        } => run_update(from, &trust_key, timeout, config.as_ref()),
        Command::Rules {
            action: RulesAction::Docs,
        } => {
            let kb = load_kb(None)?;
            out!("{}", fineprint::kb::catalog::models_markdown(&kb));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `fineprint rules pack`: validates the knowledge (as `rules check` does) and writes
/// the pack and its checksum.
fn rules_pack(dir: Option<&std::path::Path>, out: &std::path::Path) -> Result<ExitCode, String> {
    use fineprint::kb::pack;
    let files: Vec<(String, String)> = match dir {
        Some(d) => pack::read_rules_dir(d).map_err(|e| e.to_string())?,
        None => fineprint::kb::embedded_files()
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect(),
    };
    let kb = KnowledgeBase::from_files(files.iter().map(|(p, t)| (p.clone(), t.as_str())))
        .map_err(|e| e.to_string())?;
    let problems = fineprint::rules_check::validate(&kb);
    if !problems.is_empty() {
        let mut msg = format!(
            "error: the knowledge has {} problem(s) (`fineprint rules check`); no pack written:",
            problems.len()
        );
        for p in problems.iter().take(20) {
            msg.push_str(&format!("\n  {}: {}", p.file, p.message));
        }
        return Err(msg);
    }
    let (archive, manifest) = pack::build(&files, &kb.date(), env!("CARGO_PKG_VERSION"))
        .map_err(|e| format!("error: cannot build the pack: {e}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("error: {}: {e}", out.display()))?;
    let path = out.join(pack::ARCHIVE_NAME);
    std::fs::write(&path, &archive).map_err(|e| format!("error: {}: {e}", path.display()))?;
    let sum_path = out.join(format!("{}.sha256", pack::ARCHIVE_NAME));
    std::fs::write(
        &sum_path,
        format!("{}  {}\n", pack::sha256_hex(&archive), pack::ARCHIVE_NAME),
    )
    .map_err(|e| format!("error: {}: {e}", sum_path.display()))?;
    outln!(
        "wrote {} ({} files, knowledge of {}, for fineprint {} up to {}) and {}",
        path.display(),
        manifest.files.len(),
        manifest.knowledge_date,
        manifest.fineprint_min,
        manifest.fineprint_below,
        sum_path.display()
    );
    outln!("sign it: minisign -S -s KEY -m {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `fineprint update`: the pack URL from `--from`, `FINEPRINT_PACK_URL`, the policy or
/// the default; the release key plus `--trust-key`s.
fn run_update(
    from: Option<String>,
    trust_key: &[String],
    timeout: u64,
    config: Option<&PathBuf>,
) -> Result<ExitCode, String> {
    use fineprint::kb::pack::TrustedKey;
    let url = match from.filter(|u| !u.is_empty()) {
        Some(u) => u,
        None => match std::env::var("FINEPRINT_PACK_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(u) => u,
            None => {
                let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
                let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
                let policy = match config {
                    Some(c) => Some(
                        Policy::from_file(c, &kb)
                            .map_err(|e| format!("error: invalid policy: {e}"))?,
                    ),
                    None => Policy::discover(&here, &kb)
                        .map_err(|e| format!("error: invalid policy: {e}"))?,
                };
                policy
                    .and_then(|p| p.knowledge_pack_url)
                    .unwrap_or_else(fineprint::update::default_pack_url)
            }
        },
    };
    let mut keys = vec![TrustedKey::release()];
    for k in trust_key {
        let path = std::path::Path::new(k);
        let key = if path.is_file() {
            std::fs::read_to_string(path).map_err(|e| format!("error: --trust-key {k}: {e}"))?
        } else {
            k.clone()
        };
        keys.push(TrustedKey {
            key,
            label: format!("the key given with --trust-key ({k})"),
        });
    }
    let Some(cache) = fineprint::update::cache_root() else {
        return Err(
            "error: no cache folder: set FINEPRINT_CACHE_DIR or XDG_CACHE_HOME to an absolute path"
                .into(),
        );
    };
    let options = fineprint::update::Options {
        url: url.clone(),
        keys,
        timeout: Duration::from_secs(timeout.max(1)),
        cache,
    };
    eprintln!("fetching {url} (and its .sha256 and .minisig)");
    match fineprint::update::update(&options) {
        Ok(fineprint::update::Outcome::Installed {
            date,
            signer,
            licenses,
            families,
        }) => {
            outln!(
                "installed the knowledge pack of {date} from {url}: {licenses} licenses, {families} model families, signed by {signer}. It is in force from now on (`fineprint --version`)."
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(fineprint::update::Outcome::NotNewer {
            date,
            current,
            what,
        }) => {
            outln!(
                "the knowledge pack at {url} (knowledge of {date}) verifies, but is not newer than {what} (knowledge of {current}): nothing changed."
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(format!("error: {e}\nthe knowledge in force is unchanged.")),
    }
}
