//! Region codes a policy may declare in `regions`.
//!
//! Invariants:
//! * [`COUNTRIES`] is the list of officially assigned ISO 3166-1 alpha-2 codes (the
//!   249 codes of the ISO 3166 Maintenance Agency's list, as of 2024), sorted, in
//!   capitals. Reserved, user-assigned and withdrawn codes (`UK`, `EL`, `XK`, `ZZ`,
//!   `YU`) are not in it.
//! * [`GROUPS`] are the region groups the rules use (docs/policy.md): `EU`, whose
//!   members are `eu_members` in `rules/detect.toml`.

/// Officially assigned ISO 3166-1 alpha-2 country codes, sorted.
/// Source: ISO 3166-1, "Codes for the representation of names of countries and their
/// subdivisions — Part 1: Country code" (ISO 3166 Maintenance Agency).
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Region groups a policy may name besides countries.
pub const GROUPS: &[&str] = &["EU"];

/// Reserved codes people write for a country, with the assigned code to use instead.
const INSTEAD: &[(&str, &str)] = &[("UK", "GB"), ("EL", "GR")];

/// Whether `code` is a region a policy may declare, as written (capitals).
pub fn is_known(code: &str) -> bool {
    GROUPS.contains(&code) || COUNTRIES.binary_search(&code).is_ok()
}

/// Why `code` is not a region, with what to write instead where that is known.
pub fn why_unknown(code: &str) -> String {
    let upper = code.trim().to_ascii_uppercase();
    if let Some((_, use_this)) = INSTEAD.iter().find(|(c, _)| *c == upper) {
        return format!(
            "expected {use_this:?} (`{upper}` is reserved, not an assigned ISO 3166-1 code), found {code:?}"
        );
    }
    if upper != code && is_known(&upper) {
        return format!(
            "expected {upper:?} (region codes are written in capitals), found {code:?}"
        );
    }
    format!(
        "expected `EU` or an assigned two-letter ISO 3166-1 country code such as `DE`, found {code:?}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_unique_and_complete() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        assert!(
            COUNTRIES
                .iter()
                .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn known_and_unknown_codes() {
        for (code, known) in [
            ("DE", true),
            ("US", true),
            ("GB", true),
            ("EU", true),
            ("AX", true),
            ("ZW", true),
            ("ZZ", false),
            ("JJ", false),
            ("ZY", false),
            ("UK", false),
            ("XK", false),
            ("us", false),
            ("", false),
            ("DEU", false),
        ] {
            assert_eq!(is_known(code), known, "{code}");
        }
    }
}
