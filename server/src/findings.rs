//! Findings: what a license means for this project, under its policy.
//!
//! Invariants:
//! * Codes are stable (documented in `docs/codes.md`); renaming one is a breaking change.
//! * Every message names the model, the license and the clause, in one sentence.
//! * The severity is a function of the facts and the policy only; overrides in the
//!   policy's `[severity]` table apply last.

use serde::Serialize;

pub use crate::codes::{Code, Severity};
use crate::kb::{
    AttributionKind, CommercialStatus, ConditionKind, Fact, KnowledgeBase, License, OutputClause,
    RegionScope,
};
use crate::policy::{Policy, UseCase};
use crate::resolve::{RefKind, Reference};

/// Where a finding's clause is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// The document.
    pub url: String,
    /// The section in it.
    pub section: String,
    /// Not confirmed in a primary source.
    pub inferred: bool,
}

/// One finding on a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity under the policy.
    pub severity: Severity,
    /// One sentence naming model, license and clause.
    pub message: String,
    /// The clause the message rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<Clause>,
    /// The line of the policy file that made it this severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_line: Option<usize>,
}

/// The display name of a reference: the repo name, or the id.
pub fn display_name(r: &Reference) -> &str {
    match r.kind {
        RefKind::Hf => r.id.rsplit('/').next().unwrap_or(&r.id),
        _ => &r.id,
    }
}

fn clause(lic: &License, f: &dyn Fact) -> Clause {
    Clause {
        url: f.url().unwrap_or(&lic.source.url).to_string(),
        section: f.section().to_string(),
        inferred: f.inferred() || lic.source.inferred,
    }
}

fn sentence(s: &str) -> String {
    let mut out = s.trim().to_string();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

struct Out<'a> {
    policy: &'a Policy,
    list: Vec<Diagnostic>,
}

impl Out<'_> {
    fn push(
        &mut self,
        code: Code,
        default: Severity,
        message: String,
        clause: Option<Clause>,
        policy_key: Option<&str>,
    ) {
        if let Some(severity) = self.policy.severity_of(code, default) {
            let policy_line = policy_key.and_then(|k| self.policy.key_lines.get(k).copied());
            self.list.push(Diagnostic {
                code,
                severity,
                message,
                clause,
                policy_line,
            });
        }
    }
}

fn pick(
    use_case: UseCase,
    commercial: Severity,
    internal: Severity,
    other: Option<Severity>,
) -> Option<Severity> {
    match use_case {
        UseCase::Commercial => Some(commercial),
        UseCase::Internal => Some(internal),
        UseCase::Research | UseCase::Personal => other,
    }
}

/// The findings of one reference under a policy, most severe first.
pub fn evaluate(
    r: &Reference,
    kb: &KnowledgeBase,
    policy: &Policy,
    today: &str,
) -> Vec<Diagnostic> {
    let mut out = Out {
        policy,
        list: Vec::new(),
    };
    let name = display_name(r);

    // Exceptions come first: a live one replaces every other finding.
    let exception = policy.exception_for(&r.id, &r.text);
    if let Some(e) = exception {
        if e.expired(today) {
            let until = e.expires.as_deref().unwrap_or("");
            out.list.push(Diagnostic {
                code: Code::ExceptionExpired,
                severity: policy
                    .severity_of(Code::ExceptionExpired, Severity::Warning)
                    .unwrap_or(Severity::Warning),
                message: format!(
                    "The policy exception for `{}` expired on {until}; its findings apply again.",
                    e.model
                ),
                clause: None,
                policy_line: Some(e.line),
            });
        } else {
            let until = e
                .expires
                .as_deref()
                .map_or(String::new(), |d| format!(" until {d}"));
            out.push(
                Code::Excepted,
                Severity::Hint,
                format!(
                    "{name} is excepted by the policy{until}: {}",
                    sentence(&e.reason)
                ),
                None,
                None,
            );
            if let Some(d) = out.list.last_mut() {
                d.policy_line = Some(e.line);
            }
            return out.list;
        }
    }

    let Some(res) = &r.resolution else {
        let declared = r
            .evidence
            .as_ref()
            .and_then(|e| {
                // The Hub's answer says when it was fetched.
                let from = match &e.fetched {
                    Some(t) => format!("{} (fetched {t})", e.source.describe()),
                    None => e.source.describe().to_string(),
                };
                let Some(declared) = e.declared.as_deref() else {
                    // What the Hub could not give (404, no access) is worth saying.
                    let problem = e.problem.as_deref().filter(|_| e.fetched.is_some())?;
                    return Some(format!(" {from}: {problem};"));
                };
                let link = e
                    .link
                    .as_deref()
                    .map_or(String::new(), |l| format!(" ({l})"));
                Some(format!(
                    " {from} declares `{declared}`{link}, a license fineprint does not know;"
                ))
            })
            .unwrap_or_default();
        // A weights file of unknown name (`4x_NMKD-Superscale.pth`) is information: the
        // name alone rarely tells which model it holds.
        let (severity, what, look) = if r.kind == RefKind::File {
            (
                Severity::Information,
                "a weights file whose name fineprint does not know, so its license is unknown;",
                "where the file is downloaded from",
            )
        } else {
            (
                Severity::Warning,
                "fineprint has no rule for this model, so its license is unknown;",
                "the model card",
            )
        };
        out.push(
            Code::UnknownLicense,
            severity,
            format!(
                "{name}: {what}{declared} check {look}, then add a rule or a policy exception."
            ),
            None,
            None,
        );
        return finish(out.list);
    };
    let lic = res.license(kb);
    let lname = &lic.name;

    // What the disk says, when it disagrees with what fineprint applies.
    if let Some(e) = &r.evidence
        && let Some(conflict) = e.conflict
    {
        let code = match conflict {
            crate::evidence::Conflict::MorePermissiveThanBase => Code::LicenseMismatch,
            crate::evidence::Conflict::DisagreesWithRules => Code::EvidenceConflict,
        };
        out.push(
            code,
            Severity::Warning,
            format!("{name}: {}", e.verdict),
            None,
            None,
        );
    }

    // Allow and deny lists.
    if let Some(d) = policy.denied_by(&lic.id) {
        out.push(
            Code::LicenseDenied,
            Severity::Error,
            format!(
                "{name} is under the {lname} (`{}`), which the policy denies (`{}`).",
                lic.id, d.pattern
            ),
            None,
            None,
        );
        if let Some(x) = out.list.last_mut() {
            x.policy_line = Some(d.line);
        }
    }
    let allowed = policy.allowed_by(&lic.id);
    if !policy.allow().is_empty() && allowed.is_none() {
        out.push(
            Code::LicenseNotAllowed,
            Severity::Error,
            format!(
                "{name} is under the {lname} (`{}`), which is not on the policy's allow list.",
                lic.id
            ),
            None,
            Some("allow"),
        );
    }
    let uc = policy.use_case;

    // Commercial use.
    let c = &lic.commercial;
    if c.status == CommercialStatus::Prohibited
        && let Some(sev) = pick(
            uc,
            Severity::Error,
            Severity::Warning,
            Some(Severity::Information),
        )
    {
        out.push(
            Code::NonCommercial,
            sev,
            format!("{name} is under the {lname}: {}", sentence(&c.text)),
            Some(clause(lic, c)),
            Some("use"),
        );
    }
    // Conditions describe commercial use; when it is prohibited they are moot.
    let conditions = if c.status == CommercialStatus::Prohibited {
        &[][..]
    } else {
        &c.conditions[..]
    };
    for cond in conditions {
        let cl = Some(clause(lic, cond));
        if cond.kind.is_numeric() {
            let (declared, key) = match cond.kind {
                ConditionKind::MonthlyActiveUsers => {
                    (policy.monthly_active_users, "monthly_active_users")
                }
                ConditionKind::AnnualRevenueUsd => {
                    (policy.annual_revenue_usd, "annual_revenue_usd")
                }
                _ => (policy.monthly_revenue_usd, "monthly_revenue_usd"),
            };
            let limit = cond.limit.unwrap_or(u64::MAX);
            match declared {
                Some(v) if v > limit => out.push(
                    Code::CommercialThreshold,
                    Severity::Error,
                    format!("{name} is under the {lname}: {} The policy declares {key} = {v}, above the limit of {limit}.", sentence(&cond.text)),
                    cl,
                    Some(key),
                ),
                Some(_) => {}
                None => {
                    if let Some(sev) = pick(uc, Severity::Warning, Severity::Information, None) {
                        out.push(
                            Code::CommercialThreshold,
                            sev,
                            format!("{name} is under the {lname}: {} Declare `{key}` in the policy to check it.", sentence(&cond.text)),
                            cl,
                            None,
                        );
                    }
                }
            }
        } else if let Some(sev) = pick(uc, Severity::Warning, Severity::Information, None) {
            out.push(
                Code::CommercialCondition,
                sev,
                format!("{name} is under the {lname}: {}", sentence(&cond.text)),
                cl,
                Some("use"),
            );
        }
    }

    // Regions.
    let multimodal = res
        .family(kb)
        .and_then(|f| f.modality.as_deref())
        .is_some_and(|m| matches!(m, "multimodal" | "vision"));
    for reg in &lic.regions {
        if reg.scope == RegionScope::Multimodal && !multimodal {
            continue;
        }
        let cl = Some(clause(lic, reg));
        if let Some(hit) = policy.region_hit(&reg.excluded, kb) {
            out.push(
                Code::RegionExcluded,
                Severity::Error,
                format!(
                    "{name} is under the {lname}: {} The policy declares the region {hit}.",
                    sentence(&reg.text)
                ),
                cl,
                Some("regions"),
            );
        } else if policy.regions.is_empty()
            && let Some(sev) = pick(
                uc,
                Severity::Warning,
                Severity::Warning,
                Some(Severity::Information),
            )
        {
            out.push(
                Code::RegionExcluded,
                sev,
                format!(
                    "{name} is under the {lname}: {} Declare `regions` in the policy to check it.",
                    sentence(&reg.text)
                ),
                cl,
                None,
            );
        }
    }

    // Fields of use.
    for f in &lic.field_of_use {
        let cl = Some(clause(lic, f));
        if policy.purposes.contains(&f.field) {
            out.push(
                Code::FieldOfUse,
                Severity::Error,
                format!(
                    "{name} is under the {lname}: {} The policy declares the purpose `{}`.",
                    sentence(&f.text),
                    f.field
                ),
                cl,
                Some("purposes"),
            );
        }
    }
    if !lic.field_of_use.is_empty() && policy.purposes.is_empty() {
        let fields: Vec<&str> = lic.field_of_use.iter().map(|f| f.field.as_str()).collect();
        let mut fields_dedup = fields.clone();
        fields_dedup.dedup();
        let first = &lic.field_of_use[0];
        out.push(
            Code::FieldOfUse,
            Severity::Hint,
            format!(
                "{name} is under the {lname}, which bans some fields of use ({}). Declare `purposes` in the policy to check them.",
                fields_dedup.join(", ")
            ),
            Some(clause(lic, first)),
            None,
        );
    }

    // Outputs.
    for o in lic.outputs.iter().filter(|o| o.clause.restricts()) {
        let cl = Some(clause(lic, o));
        let code = if o.clause == OutputClause::NamingDuty {
            Code::NamingDuty
        } else {
            Code::OutputRestriction
        };
        // A naming duty binds what a project distributes or offers, which internal use
        // does not (docs/policy.md, "Findings and information"); a restriction on what
        // outputs may train binds every user of the outputs.
        let internal = if code == Code::NamingDuty {
            Severity::Information
        } else {
            Severity::Warning
        };
        if let Some(sev) = pick(uc, Severity::Warning, internal, Some(Severity::Information)) {
            out.push(
                code,
                sev,
                format!("{name} is under the {lname}: {}", sentence(&o.text)),
                cl,
                None,
            );
        }
    }

    // Attribution beyond a notice.
    for a in lic
        .attribution
        .iter()
        .filter(|a| a.kind != AttributionKind::Notice)
    {
        if let Some(sev) = pick(
            uc,
            Severity::Warning,
            Severity::Information,
            Some(Severity::Information),
        ) {
            out.push(
                Code::NamingDuty,
                sev,
                format!("{name} is under the {lname}: {}", sentence(&a.text)),
                Some(clause(lic, a)),
                None,
            );
        }
    }

    // An allow-listed license has been reviewed: its warnings become information.
    if let Some(a) = allowed {
        for d in &mut out.list {
            if d.severity == Severity::Warning && d.code != Code::ExceptionExpired {
                d.severity = Severity::Information;
                d.policy_line = Some(a.line);
            }
        }
    }
    let prefix = format!("{name} is under the {lname}: ");
    finish(merge(out.list, &prefix))
}

/// How the fix of a finding that depends on an undeclared fact starts.
const DECLARE: &str = "Declare `";

/// One finding per code: later findings of a code add their clause to the first,
/// which takes the highest severity.
fn merge(list: Vec<Diagnostic>, prefix: &str) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in list {
        match out.iter_mut().find(|o| o.code == d.code) {
            Some(o) => {
                let extra = d.message.strip_prefix(prefix).unwrap_or(&d.message);
                // The card has every clause in full; the message keeps the first sentence.
                let extra = extra.find(". ").map_or(extra, |i| &extra[..=i]);
                if !o.message.contains(extra) {
                    o.message.push(' ');
                    o.message.push_str(extra);
                }
                // The fix of an undeclared fact is kept for each fact (one finding per
                // model names every key to declare).
                if let Some(at) = d.message.find(DECLARE) {
                    let fix = &d.message[at..];
                    let fix = fix.find(". ").map_or(fix, |i| &fix[..=i]);
                    if !o.message.contains(fix) {
                        o.message.push(' ');
                        o.message.push_str(fix);
                    }
                }
                if d.severity < o.severity {
                    o.severity = d.severity;
                    o.policy_line = d.policy_line.or(o.policy_line);
                }
            }
            None => out.push(d),
        }
    }
    out
}

fn finish(mut list: Vec<Diagnostic>) -> Vec<Diagnostic> {
    list.sort_by_key(|d| d.severity);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(severity: Severity, message: &str) -> Diagnostic {
        Diagnostic {
            code: Code::CommercialThreshold,
            severity,
            message: message.into(),
            clause: None,
            policy_line: None,
        }
    }

    /// (findings of one code, the merged message): one finding per model, which keeps
    /// the fix of every undeclared fact.
    #[test]
    fn merged_findings_keep_every_fix() {
        let p = "M is under L: ";
        let cases: &[(Vec<Diagnostic>, &str)] = &[
            (
                vec![d(
                    Severity::Warning,
                    "M is under L: Cap A. Declare `monthly_active_users` in the policy to check it.",
                )],
                "M is under L: Cap A. Declare `monthly_active_users` in the policy to check it.",
            ),
            (
                vec![
                    d(
                        Severity::Warning,
                        "M is under L: Cap A. Declare `monthly_active_users` in the policy to check it.",
                    ),
                    d(
                        Severity::Warning,
                        "M is under L: Cap B. Declare `annual_revenue_usd` in the policy to check it.",
                    ),
                ],
                "M is under L: Cap A. Declare `monthly_active_users` in the policy to check it. Cap B. Declare `annual_revenue_usd` in the policy to check it.",
            ),
            (
                vec![
                    d(
                        Severity::Warning,
                        "M is under L: Region A. Declare `regions` in the policy to check it.",
                    ),
                    d(
                        Severity::Warning,
                        "M is under L: Region B. Declare `regions` in the policy to check it.",
                    ),
                ],
                "M is under L: Region A. Declare `regions` in the policy to check it. Region B.",
            ),
        ];
        for (list, want) in cases {
            let got = merge(list.clone(), p);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].message, *want);
        }
    }
}
