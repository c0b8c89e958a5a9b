//! Whether the human format is coloured: `--color always|never` decides; with `auto`
//! (the default), a set and non-empty `NO_COLOR` turns colour off, then a set
//! `CLICOLOR_FORCE` (other than `0`) or a set and non-empty `FORCE_COLOR` (other than
//! `0` or `false`) turns it on, and otherwise standard output being a terminal does.

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// Decide from the environment and the terminal.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Decides colour from the choice, an environment lookup and whether standard output
/// is a terminal.
pub fn decide(choice: Choice, env: impl Fn(&str) -> Option<String>, terminal: bool) -> bool {
    match choice {
        Choice::Always => return true,
        Choice::Never => return false,
        Choice::Auto => {}
    }
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    if env("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") {
        return true;
    }
    terminal
}

#[cfg(test)]
mod tests {
    use super::{Choice, decide};

    /// (choice, environment, terminal, colour)
    type Case<'a> = (Choice, &'a [(&'a str, &'a str)], bool, bool);

    #[test]
    fn precedence() {
        use Choice::*;
        let cases: &[Case] = &[
            (Auto, &[], true, true),
            (Auto, &[], false, false),
            (Auto, &[("NO_COLOR", "1")], true, false),
            (Auto, &[("NO_COLOR", "")], true, true),
            (Auto, &[("FORCE_COLOR", "1")], false, true),
            (Auto, &[("FORCE_COLOR", "")], false, false),
            (Auto, &[("FORCE_COLOR", "0")], false, false),
            (Auto, &[("FORCE_COLOR", "false")], false, false),
            (Auto, &[("CLICOLOR_FORCE", "1")], false, true),
            (Auto, &[("CLICOLOR_FORCE", "0")], false, false),
            (
                Auto,
                &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")],
                false,
                false,
            ),
            (
                Auto,
                &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
                true,
                false,
            ),
            (Always, &[("NO_COLOR", "1")], false, true),
            (Never, &[("FORCE_COLOR", "1")], true, false),
            (Never, &[], true, false),
        ];
        for (choice, env, terminal, want) in cases {
            let lookup = |k: &str| {
                env.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            };
            assert_eq!(
                decide(*choice, lookup, *terminal),
                *want,
                "{choice:?} {env:?} terminal={terminal}"
            );
        }
    }
}
