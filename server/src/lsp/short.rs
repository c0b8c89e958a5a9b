//! Short diagnostic messages for the editor: the restriction first, then the license,
//! in under 100 characters (`non-commercial only: FLUX.1 [dev] Non-Commercial License`),
//! so that the Problems view and the top of a hover show the decision, not the start of
//! a boilerplate sentence. The clause text itself is in the hover
//! ([`super::handlers::hover`]); the CLI keeps the full one-sentence messages of
//! [`crate::findings`].
//!
//! Invariant: a short message has fewer than [`MAX_CHARS`] characters.

use crate::card::human;
use crate::findings::{Code, Diagnostic, display_name};
use crate::kb::{
    AttributionKind, CommercialStatus, ConditionKind, KnowledgeBase, License, OutputClause,
    RegionScope,
};
use crate::policy::Policy;
use crate::resolve::{RefKind, Reference};

/// Every short message has fewer characters than this.
pub const MAX_CHARS: usize = 100;

/// The policy key a numeric condition is compared with.
pub fn policy_key(kind: ConditionKind) -> Option<&'static str> {
    match kind {
        ConditionKind::MonthlyActiveUsers => Some("monthly_active_users"),
        ConditionKind::AnnualRevenueUsd => Some("annual_revenue_usd"),
        ConditionKind::MonthlyRevenueUsd => Some("monthly_revenue_usd"),
        _ => None,
    }
}

/// The policy facts a license's numeric conditions need and the policy does not
/// declare (`monthly_active_users`), in the license's order, each once.
pub fn undeclared_facts(lic: &License, policy: &Policy) -> Vec<&'static str> {
    if lic.commercial.status == CommercialStatus::Prohibited {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in &lic.commercial.conditions {
        let declared = match c.kind {
            ConditionKind::MonthlyActiveUsers => policy.monthly_active_users,
            ConditionKind::AnnualRevenueUsd => policy.annual_revenue_usd,
            ConditionKind::MonthlyRevenueUsd => policy.monthly_revenue_usd,
            _ => continue,
        };
        if let (None, Some(key)) = (declared, policy_key(c.kind))
            && !out.contains(&key)
        {
            out.push(key);
        }
    }
    out
}

fn limit_words(kind: ConditionKind, limit: u64) -> String {
    match kind {
        ConditionKind::MonthlyActiveUsers => format!("{} monthly users", human(limit)),
        ConditionKind::AnnualRevenueUsd => format!("${} revenue a year", human(limit)),
        _ => format!("${} revenue a month", human(limit)),
    }
}

/// `restriction: license`, cut to fit.
fn fit(restriction: &str, license: &str) -> String {
    let s = if license.is_empty() {
        restriction.to_string()
    } else {
        format!("{restriction}: {license}")
    };
    if s.chars().count() < MAX_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_CHARS - 2).collect();
    out.push('…');
    out
}

/// Drops repeated items, keeping the first of each.
fn uniq(items: &mut Vec<&str>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|x| seen.insert(*x));
}

/// A restriction: `prefix`, items joined by `sep`, `suffix`.
struct Restriction<'a> {
    prefix: &'a str,
    items: Vec<&'a str>,
    sep: &'a str,
    suffix: &'a str,
}

/// `prefix` and the items joined, then `suffix`; `None` without items.
fn labelled<'a>(
    prefix: &'a str,
    items: &[&'a str],
    sep: &'a str,
    suffix: &'a str,
) -> Option<Restriction<'a>> {
    (!items.is_empty()).then(|| Restriction {
        prefix,
        items: items.to_vec(),
        sep,
        suffix,
    })
}

/// A restriction of one phrase.
fn phrase(text: &str) -> Option<Restriction<'_>> {
    labelled("", &[text], "", "")
}

/// `restriction: license` in under [`MAX_CHARS`] characters: every item with the
/// license's name, else its short name, else fewer items (`+2 more`), else cut.
fn fit_restriction(r: &Restriction<'_>, lic: &License) -> String {
    let n = r.items.len();
    for k in (1..=n).rev() {
        let more = if k < n {
            format!("{}+{} more", r.sep, n - k)
        } else {
            String::new()
        };
        let body = format!("{}{}{more}{}", r.prefix, r.items[..k].join(r.sep), r.suffix);
        for name in [&lic.name, &lic.short_name] {
            let s = format!("{body}: {name}");
            if s.chars().count() < MAX_CHARS {
                return s;
            }
        }
    }
    fit(
        &format!("{}{}{}", r.prefix, r.items.join(r.sep), r.suffix),
        &lic.short_name,
    )
}

/// The short message of a finding on a reference.
pub fn message(d: &Diagnostic, r: &Reference, kb: &KnowledgeBase, policy: &Policy) -> String {
    let name = display_name(r);
    if d.code == Code::UnknownLicense {
        let what = if r.kind == RefKind::File {
            "weights file of unknown license"
        } else {
            "license unknown"
        };
        return fit(what, name);
    }
    let Some(res) = &r.resolution else {
        return fit(&d.message, "");
    };
    let lic = res.license(kb);
    let joined: String;
    let restriction = match d.code {
        Code::NonCommercial => phrase("non-commercial only"),
        Code::CommercialThreshold => {
            let mut parts = Vec::new();
            for c in lic
                .commercial
                .conditions
                .iter()
                .filter(|c| c.kind.is_numeric())
            {
                let Some(limit) = c.limit else { continue };
                let declared = match c.kind {
                    ConditionKind::MonthlyActiveUsers => policy.monthly_active_users,
                    ConditionKind::AnnualRevenueUsd => policy.annual_revenue_usd,
                    _ => policy.monthly_revenue_usd,
                };
                let key = policy_key(c.kind).unwrap_or("");
                parts.push(match declared {
                    Some(v) if v > limit => {
                        format!(
                            "{key} = {} is over {}",
                            human(v),
                            limit_words(c.kind, limit)
                        )
                    }
                    Some(_) => continue,
                    None => format!(
                        "commercial use up to {} (declare {key})",
                        limit_words(c.kind, limit)
                    ),
                });
            }
            joined = parts.join("; ");
            (!parts.is_empty()).then(|| phrase(&joined)).flatten()
        }
        Code::CommercialCondition => {
            let mut what: Vec<&str> = lic
                .commercial
                .conditions
                .iter()
                .filter_map(|c| match c.kind {
                    ConditionKind::Registration => Some("registration"),
                    ConditionKind::Hosting => Some("hosting limits"),
                    ConditionKind::Approval => Some("vendor approval"),
                    _ => None,
                })
                .collect();
            uniq(&mut what);
            labelled("commercial use needs ", &what, ", ", "")
        }
        Code::RegionExcluded => {
            let multimodal = res
                .family(kb)
                .and_then(|f| f.modality.as_deref())
                .is_some_and(|m| matches!(m, "multimodal" | "vision"));
            let mut regions: Vec<&str> = lic
                .regions
                .iter()
                .filter(|g| g.scope != RegionScope::Multimodal || multimodal)
                .flat_map(|g| g.excluded.iter().map(String::as_str))
                .collect();
            uniq(&mut regions);
            let hint = if policy.regions.is_empty() {
                " (declare regions)"
            } else {
                ""
            };
            labelled("not licensed in ", &regions, ", ", hint)
        }
        Code::FieldOfUse => {
            let mut fields: Vec<&str> = lic.field_of_use.iter().map(|f| f.field.as_str()).collect();
            uniq(&mut fields);
            let hit: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| policy.purposes.iter().any(|p| p == f))
                .collect();
            if hit.is_empty() {
                labelled("banned uses: ", &fields, ", ", "")
            } else {
                labelled("banned use you declared: ", &hit, ", ", "")
            }
        }
        Code::OutputRestriction => {
            let mut what: Vec<&str> = lic
                .outputs
                .iter()
                .filter_map(|o| match o.clause {
                    OutputClause::DistillationDerivative => Some("distilling makes a derivative"),
                    OutputClause::NoCompetingModels => Some("no competing models"),
                    OutputClause::NoImprovingOtherLlms => Some("no improving other LLMs"),
                    OutputClause::NamingDuty | OutputClause::Free => None,
                })
                .collect();
            uniq(&mut what);
            labelled("outputs restricted: ", &what, "; ", "")
        }
        Code::NamingDuty => {
            let mut what: Vec<&str> = Vec::new();
            for a in &lic.attribution {
                match a.kind {
                    AttributionKind::BuiltWith => what.push("\"Built with\" notice"),
                    AttributionKind::NamePrefix => what.push("name prefix on derivatives"),
                    AttributionKind::Notice => {}
                }
            }
            if lic
                .outputs
                .iter()
                .any(|o| o.clause == OutputClause::NamingDuty)
            {
                what.push("name on output-trained models");
            }
            uniq(&mut what);
            labelled("naming duty: ", &what, "; ", "")
        }
        Code::LicenseDenied => phrase("denied by the policy"),
        Code::LicenseNotAllowed => phrase("not on the policy's allow list"),
        // Already short, or about the policy rather than the license: the message as
        // written, cut to fit.
        Code::ExceptionExpired
        | Code::ExceptionUnused
        | Code::Excepted
        | Code::LicenseMismatch
        | Code::EvidenceConflict
        | Code::ExceptionReason
        | Code::UnknownLicense => None,
    };
    match restriction {
        Some(r) => fit_restriction(&r, lic),
        None => fit(&d.message, ""),
    }
}
