//! License cards: one Markdown rendering of what a license allows, shared by
//! `fineprint explain` and (later) the language server's hover.
//!
//! Invariant: every statement on a card comes from a fact in `rules/`, and every
//! fact shown names its source; inferred facts say so.

use std::fmt::Write as _;

use crate::findings::Diagnostic;
use crate::kb::{
    AttributionKind, CommercialStatus, Fact, Family, KnowledgeBase, License, OutputClause,
    RegionScope, Variant,
};
use crate::resolve::{Reference, Resolution};

fn src(lic: &License, f: &dyn Fact) -> String {
    let url = f.url().unwrap_or(&lic.source.url);
    let checked = f.checked().unwrap_or(&lic.source.checked);
    let inferred = if f.inferred() { " · *inferred*" } else { "" };
    format!("[{}]({url}), checked {checked}{inferred}", f.section())
}

fn condition_label(f: &crate::kb::Condition) -> String {
    use crate::kb::ConditionKind::*;
    match (f.kind, f.limit) {
        (MonthlyActiveUsers, Some(n)) => format!("≤ {} monthly active users", human(n)),
        (AnnualRevenueUsd, Some(n)) => format!("≤ ${} annual revenue", human(n)),
        (MonthlyRevenueUsd, Some(n)) => format!("≤ ${} monthly revenue", human(n)),
        (Registration, _) => "registration".into(),
        (Hosting, _) => "hosting limits".into(),
        (Approval, _) => "vendor approval".into(),
        _ => "condition".into(),
    }
}

/// `700000000` → `700M`.
pub fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 && n % 1_000_000_000 == 0 => format!("{}B", n / 1_000_000_000),
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}K", n / 1_000),
        n => n.to_string(),
    }
}

/// A short label for inlay hints and one-line output: `Llama 3.1 License · ≤700M MAU`.
pub fn short_label(lic: &License) -> String {
    let mut s = lic.short_name.clone();
    match lic.commercial.status {
        CommercialStatus::Prohibited => s.push_str(" · non-commercial"),
        CommercialStatus::Conditional => {
            if let Some(c) = lic.commercial.conditions.iter().find(|c| c.limit.is_some()) {
                let unit = match c.kind {
                    crate::kb::ConditionKind::MonthlyActiveUsers => " MAU",
                    crate::kb::ConditionKind::AnnualRevenueUsd => " revenue/yr",
                    _ => " revenue/mo",
                };
                let _ = write!(s, " · ≤{}{unit}", human(c.limit.unwrap_or(0)));
            } else {
                s.push_str(" · conditional");
            }
        }
        CommercialStatus::Allowed => {}
    }
    s
}

/// The body of a license card (everything after the model line).
pub fn license_body(lic: &License, multimodal: Option<bool>) -> String {
    let mut o = String::new();
    let spdx = lic
        .spdx
        .as_deref()
        .filter(|s| !s.is_empty())
        .map_or(String::new(), |s| format!(" · SPDX `{s}`"));
    let osi = if lic.osi_approved {
        " · OSI-approved"
    } else {
        " · not OSI-approved"
    };
    let _ = writeln!(
        o,
        "**License:** [{}]({}) (`{}`){spdx}{osi}\n",
        lic.name, lic.url, lic.id
    );
    let _ = writeln!(o, "{}\n", lic.summary.trim());
    let c = &lic.commercial;
    let word = match c.status {
        CommercialStatus::Allowed => "✅ allowed",
        CommercialStatus::Conditional => "⚠️ conditional",
        CommercialStatus::Prohibited => "⛔ prohibited",
    };
    let _ = writeln!(
        o,
        "- **Commercial use:** {word}: {} ({})",
        c.text.trim(),
        src(lic, c)
    );
    for cond in &c.conditions {
        let _ = writeln!(
            o,
            "  - {}: {} ({})",
            condition_label(cond),
            cond.text.trim(),
            src(lic, cond)
        );
    }
    if lic.field_of_use.is_empty() {
        let _ = writeln!(o, "- **Fields of use:** no bans recorded");
    } else {
        let mut fields: Vec<&str> = lic.field_of_use.iter().map(|f| f.field.as_str()).collect();
        fields.dedup();
        let _ = writeln!(o, "- **Fields of use:** banned: {}", fields.join(", "));
        for f in &lic.field_of_use {
            let _ = writeln!(o, "  - {}: {} ({})", f.field, f.text.trim(), src(lic, f));
        }
    }
    if lic.outputs.is_empty() {
        let _ = writeln!(o, "- **Outputs:** no clause recorded");
    }
    for out in &lic.outputs {
        let label = match out.clause {
            OutputClause::Free => "free to use",
            OutputClause::NamingDuty => "naming duty",
            OutputClause::DistillationDerivative => "training on outputs makes a derivative",
            OutputClause::NoCompetingModels => "no competing models",
            OutputClause::NoImprovingOtherLlms => "no improving other LLMs",
        };
        let _ = writeln!(
            o,
            "- **Outputs:** {label}: {} ({})",
            out.text.trim(),
            src(lic, out)
        );
    }
    for a in &lic.attribution {
        let label = match a.kind {
            AttributionKind::Notice => "keep the notice",
            AttributionKind::BuiltWith => "\"Built with\" display",
            AttributionKind::NamePrefix => "name prefix",
        };
        let _ = writeln!(
            o,
            "- **Attribution:** {label}: {} ({})",
            a.text.trim(),
            src(lic, a)
        );
    }
    for r in &lic.regions {
        let scope = match r.scope {
            RegionScope::All => "all models",
            RegionScope::Multimodal => "multimodal models",
        };
        let applies = match (r.scope, multimodal) {
            (RegionScope::Multimodal, Some(false)) => " (does not apply to this model)",
            _ => "",
        };
        let _ = writeln!(
            o,
            "- **Regions:** excluded {} for {scope}{applies}: {} ({})",
            r.excluded.join(", "),
            r.text.trim(),
            src(lic, r)
        );
    }
    if let Some(d) = &lic.derivatives {
        let word = if d.pass_through {
            "restrictions pass on"
        } else {
            "no pass-through"
        };
        let _ = writeln!(
            o,
            "- **Derivatives:** {word}: {} ({})",
            d.text.trim(),
            src(lic, d)
        );
    }
    if let Some(n) = &lic.note {
        let _ = writeln!(o, "\n*Note:* {}", n.trim());
    }
    o
}

/// The card of a model reference, with the findings under the current policy.
pub fn reference_card(r: &Reference, kb: &KnowledgeBase, findings: &[Diagnostic]) -> String {
    let mut o = String::new();
    let Some(res) = &r.resolution else {
        let _ = writeln!(o, "### `{}`: license unknown\n", r.id);
        // What the Hub said, when online resolution asked it (a license it does not
        // know, its link, or why there is no answer).
        if let Some(e) = r.evidence.as_ref().filter(|e| e.fetched.is_some()) {
            let link = e
                .link
                .as_deref()
                .map_or(String::new(), |l| format!(" License link: <{l}>."));
            let _ = writeln!(o, "**{}:** {}{link}\n", evidence_place(e), e.verdict);
        }
        let _ = writeln!(
            o,
            "fineprint looked for `{}` in its rules (vendor repositories, re-upload and fine-tune names, Ollama and API names) and found no match.\n",
            r.id
        );
        let _ = writeln!(
            o,
            "Check the model card's `license` field, then add a rule (see `rules/README.md`, or `--rules DIR`) or a policy exception:\n\n```toml\n[[exceptions]]\nmodel = \"{}\"\nreason = \"license reviewed: ...\"\n```",
            r.id
        );
        return o;
    };
    let lic = res.license(kb);
    let Some((fam, variant)) = family_of(res, kb) else {
        // Only a generated index or evidence on disk names this model's license.
        match res.generated_entry(kb).map(|e| kb.generated.source_of(e)) {
            Some(src) => {
                let _ = writeln!(
                    o,
                    "### `{}` · {}, as the {} index lists it\n",
                    r.id, lic.short_name, src.name
                );
            }
            None => {
                let _ = writeln!(o, "### `{}` · declared {}\n", r.id, lic.short_name);
            }
        }
        let _ = writeln!(
            o,
            "**Openness:** {}\n",
            kb.openness(None, res.license).label()
        );
        o.push_str(&license_body(lic, None));
        let _ = writeln!(
            o,
            "\n**How fineprint knows:** {}{}.",
            res.how,
            generated_source(res, kb)
        );
        evidence_lines(&mut o, r);
        policy_lines(&mut o, findings);
        return o;
    };
    let vname = variant.map_or(String::new(), |v| format!(" ({})", v.name));
    let _ = writeln!(
        o,
        "### `{}` · {}{vname} by {}\n",
        r.id, fam.name, fam.vendor
    );
    let _ = writeln!(
        o,
        "**Openness:** {}",
        kb.openness(res.at, res.license).label()
    );
    let data = variant
        .and_then(|v| v.training_data)
        .unwrap_or(fam.training_data);
    let _ = writeln!(
        o,
        " · **Training data:** {} · **Training code:** {}\n",
        data.as_str(),
        fam.training_code.as_str()
    );
    let multimodal = fam
        .modality
        .as_deref()
        .map(|m| matches!(m, "multimodal" | "vision"));
    o.push_str(&license_body(lic, multimodal));
    let how_src = variant.map_or(&fam.source, |v| &v.source);
    let inferred = if how_src.inferred {
        " · *inferred*"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "\n**How fineprint knows:** {} ({}): {}; the family's license read from [{}]({}), checked {}{inferred}.",
        res.provenance.as_str(),
        res.pattern,
        res.how,
        how_src.section.as_deref().unwrap_or("source"),
        how_src.url,
        how_src.checked
    );
    history_lines(&mut o, kb, fam, variant);
    evidence_lines(&mut o, r);
    if let Some(n) = variant.and_then(|v| v.note.as_ref()).or(fam.note.as_ref()) {
        let _ = writeln!(o, "\n*Note:* {}", n.trim());
    }
    policy_lines(&mut o, findings);
    if !fam.alternatives.is_empty() {
        let names: Vec<String> = fam
            .alternatives
            .iter()
            .filter_map(|a| kb.family(a))
            .map(|f| format!("{} ({})", f.name, f.license))
            .collect();
        let _ = writeln!(o, "\n**Permissive alternatives:** {}", names.join(", "));
    }
    o
}

/// ` ([source](url))` for an answer of the generated indexes, else nothing.
fn generated_source(res: &Resolution, kb: &KnowledgeBase) -> String {
    res.generated_entry(kb)
        .map(|e| kb.generated.source_of(e))
        .map_or(String::new(), |s| format!(" ([source]({}))", s.url))
}

fn family_of<'a>(
    res: &Resolution,
    kb: &'a KnowledgeBase,
) -> Option<(&'a Family, Option<&'a Variant>)> {
    let at = res.at?;
    let fam = kb.families.get(at.family)?;
    Some((fam, at.variant.and_then(|v| fam.variant.get(v))))
}

fn policy_lines(o: &mut String, findings: &[Diagnostic]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n**Under this project's policy:**");
    for d in findings {
        let _ = writeln!(
            o,
            "- {} `{}`: {}",
            d.severity.as_str(),
            d.code.as_str(),
            d.message
        );
    }
}

/// Earlier licenses of the repository, newest first.
fn history_lines(o: &mut String, kb: &KnowledgeBase, fam: &Family, variant: Option<&Variant>) {
    let history = variant.map_or(&fam.history, |v| &v.history);
    for h in history {
        let name = kb
            .license(&h.license)
            .map_or(h.license.as_str(), |l| l.name.as_str());
        let _ = writeln!(
            o,
            "\n**Earlier license:** revisions published before {} were under the {name} ([{}]({}), checked {}{}).",
            h.until,
            h.source.section.as_deref().unwrap_or("source"),
            h.source.url,
            h.source.checked,
            if h.source.inferred {
                ", *inferred*"
            } else {
                ""
            }
        );
    }
}

/// Where the evidence was found, as a card's label.
fn evidence_place(e: &crate::evidence::Evidence) -> &'static str {
    match e.source {
        crate::evidence::EvidenceSource::Hub => "On the Hugging Face Hub",
        _ => "On this machine",
    }
}

/// What the disk (or the Hub) says, and how fineprint weighed it.
fn evidence_lines(o: &mut String, r: &Reference) {
    let Some(e) = &r.evidence else { return };
    let rev = e
        .revision
        .as_deref()
        .map_or(String::new(), |v| format!(" (revision `{}`)", short_rev(v)));
    let at = if e.path.is_empty() {
        String::new()
    } else {
        format!(" (`{}`{rev})", e.path)
    };
    let _ = writeln!(o, "\n**{}{at}:** {}", evidence_place(e), e.verdict);
    if let Some(p) = &e.problem {
        let _ = writeln!(o, "\n*Could not read all of it:* {p}");
    }
}

/// The first 12 characters of a commit or digest.
pub fn short_rev(v: &str) -> &str {
    let v = v.strip_prefix("sha256:").unwrap_or(v);
    v.get(..12).unwrap_or(v)
}

/// The card of a license alone.
pub fn license_card(lic: &License) -> String {
    format!("### {}\n\n{}", lic.name, license_body(lic, None))
}

fn severity_icon(s: crate::findings::Severity) -> &'static str {
    match s {
        crate::findings::Severity::Error => "⛔",
        crate::findings::Severity::Warning => "⚠️",
        crate::findings::Severity::Information => "ℹ️",
        crate::findings::Severity::Hint => "·",
    }
}

/// The short card shown on hover: one line per facet, the policy's verdict, and how
/// fineprint knows. `fineprint explain` and the editors' Explain command show the full
/// card ([`reference_card`]).
pub fn hover_card(
    r: &Reference,
    kb: &KnowledgeBase,
    findings: &[Diagnostic],
    use_case: &str,
) -> String {
    let Some(res) = &r.resolution else {
        return reference_card(r, kb, findings);
    };
    let fv = family_of(res, kb);
    let lic = res.license(kb);
    let mut o = String::new();
    match fv {
        Some((fam, variant)) => {
            let vname = variant.map_or(String::new(), |v| format!(" ({})", v.name));
            let _ = writeln!(
                o,
                "**`{}`** · {}{vname} by {}\n",
                r.id, fam.name, fam.vendor
            );
        }
        None => {
            let _ = writeln!(o, "**`{}`** · license declared on disk\n", r.id);
        }
    }
    let osi = if lic.osi_approved {
        " · OSI-approved"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "[{}]({}) · {}{osi}\n",
        lic.name,
        lic.url,
        kb.openness(res.at, res.license).label()
    );
    let _ = writeln!(o, "{}\n", lic.summary.trim());
    let c = &lic.commercial;
    let commercial = match c.status {
        CommercialStatus::Allowed => "✅ allowed".to_string(),
        CommercialStatus::Prohibited => "⛔ prohibited".to_string(),
        CommercialStatus::Conditional => {
            let conds: Vec<String> = c.conditions.iter().map(condition_label).collect();
            format!(
                "⚠️ conditional: {}",
                if conds.is_empty() {
                    "see the license".into()
                } else {
                    conds.join(", ")
                }
            )
        }
    };
    let _ = writeln!(o, "| | |\n|---|---|\n| Commercial use | {commercial} |");
    if !lic.field_of_use.is_empty() {
        let mut fields: Vec<&str> = lic.field_of_use.iter().map(|f| f.field.as_str()).collect();
        fields.dedup();
        let _ = writeln!(o, "| Fields of use | banned: {} |", fields.join(", "));
    }
    let outputs: Vec<&str> = lic
        .outputs
        .iter()
        .filter(|x| x.clause.restricts())
        .map(|x| match x.clause {
            OutputClause::NamingDuty => "models trained on them must carry the name",
            OutputClause::DistillationDerivative => "distilling makes a derivative",
            OutputClause::NoCompetingModels => "no competing models",
            OutputClause::NoImprovingOtherLlms => "no improving other LLMs",
            OutputClause::Free => "free",
        })
        .collect();
    if !outputs.is_empty() {
        let _ = writeln!(o, "| Outputs | {} |", outputs.join("; "));
    }
    let duties: Vec<&str> = lic
        .attribution
        .iter()
        .filter(|a| a.kind != AttributionKind::Notice)
        .map(|a| {
            if a.kind == AttributionKind::BuiltWith {
                "\"Built with\" display"
            } else {
                "name prefix for derived models"
            }
        })
        .collect();
    if !duties.is_empty() {
        let _ = writeln!(o, "| Attribution | {} |", duties.join(", "));
    }
    let multimodal = fv
        .and_then(|(f, _)| f.modality.as_deref())
        .is_some_and(|m| matches!(m, "multimodal" | "vision"));
    for reg in &lic.regions {
        let applies = reg.scope == RegionScope::All || multimodal;
        let scope = if reg.scope == RegionScope::Multimodal {
            " (multimodal models)"
        } else {
            ""
        };
        let note = if applies {
            ""
        } else {
            ": does not apply to this model"
        };
        let _ = writeln!(
            o,
            "| Regions | {} excluded{scope}{note} |",
            reg.excluded.join(", ")
        );
    }
    if let Some((fam, variant)) = fv {
        let data = variant
            .and_then(|v| v.training_data)
            .unwrap_or(fam.training_data);
        let _ = writeln!(o, "| Training data | {} |", data.as_str());
    }
    let shown: Vec<String> = findings
        .iter()
        .filter(|d| {
            d.severity < crate::findings::Severity::Hint
                || d.code == crate::findings::Code::Excepted
        })
        .map(|d| format!("{} `{}`", severity_icon(d.severity), d.code.as_str()))
        .collect();
    let verdict = if shown.is_empty() {
        "✅ no findings".to_string()
    } else {
        shown.join(" · ")
    };
    let _ = writeln!(o, "\n**This project ({use_case} use):** {verdict}\n");
    if let Some(e) = &r.evidence {
        let _ = writeln!(o, "**{}:** {}\n", evidence_place(e), e.verdict);
    }
    match fv {
        Some((fam, variant)) => {
            let src = variant.map_or(&fam.source, |v| &v.source);
            let inferred = if src.inferred { " · *inferred*" } else { "" };
            let _ = writeln!(
                o,
                "*{}* · [source]({}) checked {}{inferred} · `fineprint explain {}` for every clause",
                res.how, src.url, src.checked, r.id
            );
        }
        None => {
            let _ = writeln!(
                o,
                "*{}*{} · `fineprint explain {}` for every clause",
                res.how,
                generated_source(res, kb),
                r.id
            );
        }
    }
    o
}
