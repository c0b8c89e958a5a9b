//! Edits to the policy file that code actions offer: an exception that expires and
//! whose reason the user must write, and the declaration of a fact the policy lacks
//! (`monthly_active_users`). Both keep the file's comments and formatting
//! (`toml_edit`), and both say which span the user should type over next.

use crate::policy::REASON_PLACEHOLDER;

/// How long a new exception lasts, in days.
pub const EXCEPTION_DAYS: i64 = 90;

/// A new policy text and the byte span of the value the user should fill in.
pub struct Filled {
    /// The whole new text of the policy file.
    pub text: String,
    /// The placeholder to type over.
    pub placeholder: std::ops::Range<usize>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// [`crate::policy::civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` plus `days`; `None` for a text that is not such a date.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let mut it = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (y, m, d) = crate::policy::civil_from_days(days_from_civil(y, m, d) + days);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// The table that holds policy keys: the root, or `[tool.fineprint]` in a pyproject.
fn policy_table(
    doc: &mut toml_edit::DocumentMut,
    pyproject: bool,
) -> Option<&mut toml_edit::Table> {
    if pyproject {
        let tool = doc
            .entry("tool")
            .or_insert(toml_edit::table())
            .as_table_mut()?;
        tool.set_implicit(true);
        tool.entry("fineprint")
            .or_insert(toml_edit::table())
            .as_table_mut()
    } else {
        Some(doc.as_table_mut())
    }
}

/// `existing` (or a new policy) with an exception for `model` that expires
/// [`EXCEPTION_DAYS`] after `today` and has a placeholder reason.
pub fn exception(
    existing: Option<&str>,
    model: &str,
    pyproject: bool,
    today: &str,
) -> Option<Filled> {
    let base = crate::policy::with_exception(existing, model, pyproject)?;
    let mut doc: toml_edit::DocumentMut = base.parse().ok()?;
    let expires: toml_edit::Datetime = add_days(today, EXCEPTION_DAYS)?.parse().ok()?;
    let table = policy_table(&mut doc, pyproject)?
        .get_mut("exceptions")?
        .as_array_of_tables_mut()?
        .iter_mut()
        .last()?;
    table.insert("expires", toml_edit::value(expires));
    let text = doc.to_string();
    // The placeholder of the table just added: the last one in the file.
    let quoted = format!("\"{REASON_PLACEHOLDER}\"");
    let at = text.rfind(&quoted)? + 1;
    Some(Filled {
        placeholder: at..at + REASON_PLACEHOLDER.len(),
        text,
    })
}

/// `existing` (or a new policy) with `key = 0` and a comment asking for the real
/// number; `None` when the key is there already or the text is not TOML.
pub fn declare(existing: Option<&str>, key: &str, pyproject: bool) -> Option<Filled> {
    let mut doc: toml_edit::DocumentMut = existing
        .unwrap_or("# fineprint policy: see docs/policy.md\nuse = \"commercial\"\n")
        .parse()
        .ok()?;
    let table = policy_table(&mut doc, pyproject)?;
    if table.contains_key(key) {
        return None;
    }
    let mut value = toml_edit::value(0_i64);
    if let Some(v) = value.as_value_mut() {
        v.decor_mut()
            .set_suffix(format!("  # TODO: your real {key}"));
    }
    table.insert(key, value);
    let text = doc.to_string();
    // The new line (a comment may mention the key too).
    let needle = format!("{key} = 0  # TODO");
    let line = text
        .match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')?;
    let start = line + key.len() + 3;
    Some(Filled {
        placeholder: start..start + 1,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_add_up() {
        // (date, days, expected)
        let cases = [
            ("2026-12-06", 90, Some("2027-03-06")),
            ("2024-01-01", 60, Some("2024-03-01")),
            ("2023-12-31", 1, Some("2024-01-01")),
            ("1970-01-01", 0, Some("1970-01-01")),
            ("2026-13-01", 1, None),
            ("yesterday", 1, None),
        ];
        for (date, days, want) in cases {
            assert_eq!(add_days(date, days).as_deref(), want, "{date} + {days}");
        }
    }
}
