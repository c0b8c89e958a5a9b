//! Embeds every `*.toml` and `*.tsv` under `../rules` into the binary, so that `fineprint` is
//! self-contained. The generated file is a sorted list of (relative path, contents), and a
//! snapshot of each TOML file as JSON: reading JSON at start-up costs a fraction of parsing
//! TOML. A file that does not parse, or holds a TOML date-time (JSON has none), gets no
//! snapshot: the binary then parses its TOML text at start-up and reports the problem
//! with its line, as for a user's rules folder. The snapshot is only ever a faster
//! reading of the same text, never a second source of facts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "tsv") {
            out.push(path);
        }
    }
    Ok(())
}

/// The same tree as JSON, or `None` for a TOML date-time (which has no JSON form).
fn to_json(value: &toml::Value) -> Option<serde_json::Value> {
    Some(match value {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(_) => return None,
        toml::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?)
        }
        toml::Value::Table(table) => serde_json::Value::Object(
            table
                .iter()
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// The newest `YYYY-MM-DD` among the `checked` dates of `source` tables (licenses,
/// families, variants) in a parsed rules file.
fn newest_checked(value: &toml::Value, newest: &mut String) {
    match value {
        toml::Value::Table(table) => {
            if let Some(toml::Value::String(d)) = table
                .get("source")
                .and_then(|s| s.as_table())
                .and_then(|s| s.get("checked"))
                && looks_like_date(d)
                && *d > *newest
            {
                *newest = d.clone();
            }
            table.values().for_each(|v| newest_checked(v, newest));
        }
        toml::Value::Array(items) => items.iter().for_each(|v| newest_checked(v, newest)),
        _ => {}
    }
}

fn looks_like_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The JSON snapshot of a TOML text, when it parses and converts.
fn snapshot(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).ok()?;
    serde_json::to_string(&to_json(&value)?).ok()
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("..").join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    collect(&rules, &mut files).expect("the rules/ folder beside server/ must be readable");
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let snapshots = out_dir.join("rules_snapshot");
    std::fs::create_dir_all(&snapshots).expect("create the snapshot folder");
    let mut code = String::from(
        "/// Embedded knowledge base: (path relative to rules/, text).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    let mut snap_code = String::from(
        "/// The JSON snapshot of each embedded TOML text, in the order of `EMBEDDED`.\npub static SNAPSHOTS: &[Option<&str>] = &[\n",
    );
    // The knowledge's date, for comparing a knowledge pack's without loading the base
    // (a unit test checks it against `KnowledgeBase::date`).
    let mut date = String::new();
    for (i, file) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&rules).expect("collected under rules/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let abs = file.canonicalize().expect("rules file exists");
        let text = std::fs::read_to_string(&abs).expect("rules file is UTF-8 text");
        if rel.starts_with("licenses/") || rel.starts_with("models/") {
            if let Ok(value) = toml::from_str::<toml::Value>(&text) {
                newest_checked(&value, &mut date);
            }
        } else if rel.starts_with("generated/") {
            for d in text
                .lines()
                .filter_map(|l| l.strip_prefix("# imported:"))
                .map(str::trim)
            {
                if looks_like_date(d) && d > date.as_str() {
                    date = d.to_string();
                }
            }
        }
        let json = if rel.ends_with(".toml") {
            snapshot(&text)
        } else {
            None
        };
        let json = match json {
            Some(json) => {
                let path = snapshots.join(format!("{i}.json"));
                std::fs::write(&path, json).expect("write snapshot");
                format!("Some(include_str!({:?}))", path.display().to_string())
            }
            None => "None".to_string(),
        };
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to String");
        writeln!(snap_code, "    {json},").expect("write to String");
    }
    code.push_str("];\n");
    snap_code.push_str("];\n");
    code.push_str(&snap_code);
    writeln!(
        code,
        "/// The knowledge's date (`KnowledgeBase::date` of the embedded base).\npub static DATE: &str = {date:?};"
    )
    .expect("write to String");
    let out = out_dir.join("rules_embedded.rs");
    std::fs::write(out, code).expect("write generated file");
}
