//! `docs/models.md`: the catalogue of every license and family in the built-in base,
//! generated from the rules so that it cannot drift (a test compares the file with
//! this output; `fineprint rules docs > docs/models.md` regenerates it).
//!
//! Invariant: the output depends only on the rules (sorted by id), never on the date
//! or the machine.

use std::fmt::Write as _;

use super::{CommercialStatus, FamilyRef, KnowledgeBase, Source};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn checked(s: &Source) -> String {
    if s.inferred {
        format!("{} (inferred)", s.checked)
    } else {
        s.checked.clone()
    }
}

/// The Markdown catalogue.
pub fn models_markdown(kb: &KnowledgeBase) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Models and licenses fineprint knows\n");
    let _ = writeln!(
        o,
        "Generated from `rules/` by `fineprint rules docs > docs/models.md`; do not edit by hand \
         (the test suite fails when this file is stale). {} licenses, {} model families. \
         \"inferred\" marks a fact not confirmed in a primary source; see the rule's `note`.\n",
        kb.licenses.len(),
        kb.families.len()
    );
    let _ = writeln!(o, "## Licenses\n");
    let _ = writeln!(
        o,
        "| id | name | SPDX | OSI | commercial use | checked | source |\n|---|---|---|---|---|---|---|"
    );
    let mut lics: Vec<_> = kb.licenses.iter().collect();
    lics.sort_by(|a, b| a.id.cmp(&b.id));
    for l in lics {
        let commercial = match l.commercial.status {
            CommercialStatus::Allowed => "allowed",
            CommercialStatus::Conditional => "conditional",
            CommercialStatus::Prohibited => "prohibited",
        };
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {commercial} | {} | [text]({}) |",
            l.id,
            cell(&l.name),
            l.spdx.as_deref().filter(|s| !s.is_empty()).unwrap_or("-"),
            if l.osi_approved { "yes" } else { "no" },
            checked(&l.source),
            l.source.url
        );
    }
    let _ = writeln!(o, "\n## Model families\n");
    let _ = writeln!(
        o,
        "| family | vendor | license | openness | example | checked | source |\n|---|---|---|---|---|---|---|"
    );
    let mut fams: Vec<(usize, _)> = kb.families.iter().enumerate().collect();
    fams.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    for (fi, f) in fams {
        let at = FamilyRef {
            family: fi,
            variant: None,
        };
        let example = f
            .examples
            .positive
            .first()
            .map_or(String::new(), |e| format!("`{e}`"));
        let _ = writeln!(
            o,
            "| `{}` {} | {} | `{}` | {} | {example} | {} | [card]({}) |",
            f.id,
            cell(&f.name),
            cell(&f.vendor),
            f.license,
            kb.openness(Some(at), kb.license_index_of(at)).label(),
            checked(&f.source),
            f.source.url
        );
        for (vi, v) in f.variant.iter().enumerate() {
            let at = FamilyRef {
                family: fi,
                variant: Some(vi),
            };
            let example = v
                .examples
                .positive
                .first()
                .map_or(String::new(), |e| format!("`{e}`"));
            let _ = writeln!(
                o,
                "| ↳ {} | | `{}` | {} | {example} | {} | [card]({}) |",
                cell(&v.name),
                v.license,
                kb.openness(Some(at), kb.license_index_of(at)).label(),
                checked(&v.source),
                v.source.url
            );
        }
        for h in f
            .history
            .iter()
            .chain(f.variant.iter().flat_map(|v| &v.history))
        {
            let _ = writeln!(
                o,
                "| ↳ before {} | | `{}` (earlier revisions) | | | {} | [source]({}) |",
                h.until,
                h.license,
                checked(&h.source),
                h.source.url
            );
        }
    }
    o
}
