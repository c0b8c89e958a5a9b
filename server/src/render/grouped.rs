//! The default human format: one block per decision (a model id, a finding code and a
//! severity), its message and clause printed once, the first [`PLACES_SHOWN`] places
//! with their source line and a count of the others; then a table of the models with
//! findings (license, openness, verdict, files) and the summary line. Every count in
//! the table and the summary covers exactly the places of the blocks above it.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use super::human::{PLACES_SHOWN, summary_line};
use crate::card::short_label;
use crate::check::{Found, Report};
use crate::findings::{Diagnostic, Severity, display_name};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// Decisions that say the same thing (one code, one severity and one message once the
/// model's name is taken off: the same clause of the same license) and where they are
/// made: printed as one block naming each model.
struct Block<'a> {
    severity: Severity,
    diagnostic: &'a Diagnostic,
    /// The message without the first model's name.
    body: &'a str,
    /// Model ids and display names, in the order first met.
    models: Vec<(&'a str, &'a str)>,
    /// The first places: path and the reference.
    shown: Vec<(&'a str, &'a Found)>,
    /// Every place (path, line, column), to tell a block at the same places as the one above.
    places: Vec<(&'a str, usize, usize)>,
    files: BTreeSet<&'a str>,
}

/// Places (references with a finding at warning or error) and files per model id.
type Places<'a> = HashMap<&'a str, (usize, BTreeSet<&'a str>, Option<&'a Found>)>;

/// The blocks of a report, most severe first, then in the order first met; and the
/// places of each model.
fn blocks(report: &Report) -> (Vec<Block<'_>>, Places<'_>) {
    let mut at: HashMap<(Severity, &str, &str), usize> = HashMap::new();
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut places: Places<'_> = HashMap::new();
    for f in &report.files {
        for r in &f.found {
            if r.diagnostics
                .iter()
                .any(|d| d.severity <= Severity::Warning)
            {
                let e = places.entry(r.reference.id.as_str()).or_default();
                e.0 += 1;
                e.1.insert(f.path.as_str());
                e.2.get_or_insert(r);
            }
            let name = display_name(&r.reference);
            for d in r
                .diagnostics
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
            {
                let body = d.message.strip_prefix(name).unwrap_or(&d.message);
                let key = (d.severity, d.code.as_str(), body);
                let i = *at.entry(key).or_insert_with(|| {
                    out.push(Block {
                        severity: d.severity,
                        diagnostic: d,
                        body,
                        models: Vec::new(),
                        shown: Vec::new(),
                        places: Vec::new(),
                        files: BTreeSet::new(),
                    });
                    out.len() - 1
                });
                let b = &mut out[i];
                let id = r.reference.id.as_str();
                if !b.models.iter().any(|(m, _)| *m == id) {
                    b.models.push((id, name));
                }
                b.places.push((f.path.as_str(), r.line, r.column));
                b.files.insert(f.path.as_str());
                if b.shown.len() < PLACES_SHOWN {
                    b.shown.push((f.path.as_str(), r));
                }
            }
        }
    }
    // Stable: equal severities keep the order first met.
    out.sort_by_key(|b| b.severity);
    (out, places)
}

/// Above this many blocks, the blocks at warning severity are one line each (the
/// license, the models, the places), so that a large project's output stays short.
const FULL_BLOCKS: usize = 15;

/// Above this many models, the table has one row per license instead of per model.
const TABLE_MODELS: usize = 25;

/// Models named in a block's head before "and N other models".
const NAMES_SHOWN: usize = 4;

/// The display names of a block's models, each once (a mirror's copy of a model has
/// another id and the same name).
fn names<'a>(b: &Block<'a>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for (_, n) in &b.models {
        if !out.contains(n) {
            out.push(n);
        }
    }
    out
}

/// The head of a block: the models, then the message as the first model's says it.
fn head(b: &Block<'_>) -> String {
    let all = names(b);
    let mut names: Vec<&str> = all.iter().take(NAMES_SHOWN).copied().collect();
    let rest = all.len().saturating_sub(NAMES_SHOWN);
    let other = format!("{rest} other model(s) (see the table)");
    if rest > 0 {
        names.push(&other);
    }
    let list = match names.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    let body = if all.len() > 1 {
        b.body
            .strip_prefix(" is under ")
            .map_or_else(|| b.body.to_string(), |r| format!(" are under {r}"))
    } else {
        b.body.to_string()
    };
    format!("{list}{body}")
}

/// One row of the model table.
struct Model<'a> {
    name: String,
    license: String,
    openness: &'static str,
    verdict: Severity,
    files: BTreeSet<&'a str>,
    places: usize,
}

/// ANSI styles, or nothing without colour.
struct Paint(bool);

impl Paint {
    fn sev(&self, s: Severity) -> (&'static str, &'static str) {
        match (self.0, s) {
            (false, _) => ("", ""),
            (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
            (true, _) => ("\x1b[1;33m", "\x1b[0m"),
        }
    }
    fn dim(&self) -> (&'static str, &'static str) {
        if self.0 {
            ("\x1b[2m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
    fn bold(&self) -> (&'static str, &'static str) {
        if self.0 {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
}

/// Writes the grouped report.
pub fn render_to(
    out: &mut dyn Write,
    report: &Report,
    kb: &KnowledgeBase,
    policy: &Policy,
    color: bool,
) -> io::Result<()> {
    let paint = Paint(color);
    let (blocks, places) = blocks(report);
    let mut models: Vec<Model<'_>> = Vec::new();
    let mut model_at: HashMap<&str, usize> = HashMap::new();
    let (m0, m1) = paint.dim();
    let (b0, b1) = paint.bold();
    let compact = blocks.len() > FULL_BLOCKS;
    for (n, b) in blocks.iter().enumerate() {
        let diag = b.diagnostic;
        let (s0, s1) = paint.sev(b.severity);
        if compact && b.severity > Severity::Error {
            let license = b
                .shown
                .first()
                .and_then(|(_, r)| r.reference.resolution.as_ref())
                .map_or("license unknown".to_string(), |x| {
                    short_label(x.license(kb))
                });
            let (path, line, col) = b.places.first().copied().unwrap_or_default();
            let all = names(b);
            let shown: Vec<&str> = all.iter().take(2).copied().collect();
            let more = if all.len() > 2 {
                format!(" and {} more", all.len() - 2)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{s0}{}[{}]{s1}: {license}: {}{more}; {} place(s) in {} file(s), first {path}:{line}:{col}",
                b.severity.as_str(),
                diag.code.as_str(),
                shown.join(", "),
                b.places.len(),
                b.files.len()
            )?;
        } else {
            writeln!(
                out,
                "{s0}{}[{}]{s1}{b0}: {}{b1}",
                b.severity.as_str(),
                diag.code.as_str(),
                head(b)
            )?;
            if let Some(c) = &diag.clause {
                let inferred = if c.inferred { " (inferred)" } else { "" };
                writeln!(
                    out,
                    "   {m0}= clause:{m1} {} <{}>{inferred}",
                    c.section, c.url
                )?;
            }
            if let (Some(line), Some(file)) = (diag.policy_line, &policy.file) {
                writeln!(out, "   {m0}= policy:{m1} {}:{line}", file.display())?;
            }
            let same = n > 0 && blocks[n - 1].places == b.places;
            if same {
                writeln!(
                    out,
                    "  {m0}-->{m1} the same {} place(s) as above",
                    b.places.len()
                )?;
            } else {
                for (path, r) in &b.shown {
                    writeln!(
                        out,
                        "  {m0}-->{m1} {path}:{}:{}  {m0}|{m1} {}",
                        r.line,
                        r.column,
                        r.excerpt.trim()
                    )?;
                }
                let more = b.places.len() - b.shown.len();
                if more > 0 {
                    writeln!(
                        out,
                        "      and {more} more place(s); {} file(s) in all",
                        b.files.len()
                    )?;
                }
            }
        }
        for (id, name) in &b.models {
            let i = *model_at.entry(id).or_insert_with(|| {
                let (count, files, first) = places.get(id).cloned().unwrap_or_default();
                let res = first.and_then(|r| r.reference.resolution.as_ref());
                models.push(Model {
                    name: (*name).to_string(),
                    license: res.map_or("license unknown".to_string(), |x| {
                        short_label(x.license(kb))
                    }),
                    openness: res.map_or("unknown", |x| kb.openness(x.at, x.license).label()),
                    verdict: b.severity,
                    files,
                    places: count,
                });
                models.len() - 1
            });
            models[i].verdict = models[i].verdict.min(b.severity);
        }
    }
    super::human::policy_and_skipped(out, report)?;
    if !models.is_empty() {
        writeln!(out)?;
        table(out, &models, &paint)?;
    }
    if compact {
        writeln!(
            out,
            "({} blocks: each warning on one line; `--format concise` gives every message at every place)",
            blocks.len()
        )?;
    }
    let with_findings = models.len();
    let all_models: BTreeSet<&str> = report
        .files
        .iter()
        .flat_map(|f| &f.found)
        .map(|r| r.reference.id.as_str())
        .collect();
    let others = all_models.len() - with_findings.min(all_models.len());
    writeln!(
        out,
        "{} decision(s) on {with_findings} model(s); {others} other model(s) without findings at warning or error (`--all` lists every finding and reference)",
        blocks.iter().map(|b| b.models.len()).sum::<usize>()
    )?;
    summary_line(out, report, policy)
}

/// The model table: columns padded to their widest cell (counted in characters).
fn table(out: &mut dyn Write, models: &[Model<'_>], paint: &Paint) -> io::Result<()> {
    let mut head = ["model", "license", "openness", "verdict", "where used"];
    let rows: Vec<[String; 5]> = if models.len() <= TABLE_MODELS {
        models
            .iter()
            .map(|m| {
                [
                    m.name.clone(),
                    m.license.clone(),
                    m.openness.to_string(),
                    m.verdict.as_str().to_string(),
                    format!("{} file(s), {} place(s)", m.files.len(), m.places),
                ]
            })
            .collect()
    } else {
        // One row per license: its models (the first named), the worst verdict, and
        // the files and places of all of them.
        head[0] = "models";
        let mut order: Vec<&str> = Vec::new();
        let mut by: HashMap<&str, Vec<&Model<'_>>> = HashMap::new();
        for m in models {
            by.entry(m.license.as_str())
                .or_insert_with(|| {
                    order.push(m.license.as_str());
                    Vec::new()
                })
                .push(m);
        }
        let mut rows: Vec<(Severity, [String; 5])> = order
            .iter()
            .map(|l| {
                let ms = &by[l];
                let files: BTreeSet<&str> =
                    ms.iter().flat_map(|m| m.files.iter().copied()).collect();
                let verdict = ms
                    .iter()
                    .map(|m| m.verdict)
                    .min()
                    .unwrap_or(Severity::Warning);
                let name = if ms.len() == 1 {
                    ms[0].name.clone()
                } else {
                    format!("{} and {} more", ms[0].name, ms.len() - 1)
                };
                (
                    verdict,
                    [
                        name,
                        (*l).to_string(),
                        ms[0].openness.to_string(),
                        verdict.as_str().to_string(),
                        format!(
                            "{} file(s), {} place(s)",
                            files.len(),
                            ms.iter().map(|m| m.places).sum::<usize>()
                        ),
                    ],
                )
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        rows.into_iter().map(|r| r.1).collect()
    };
    let mut width = head.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let (b0, b1) = paint.bold();
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            let pad = w - c.chars().count();
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s
    };
    writeln!(out, "{b0}{}{b1}", line(&head.map(String::from)))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}
