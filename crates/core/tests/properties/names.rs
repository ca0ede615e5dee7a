//! UserName parsing.

use super::*;

/// Unicode White_Space characters, including two that are also controls (U+0085 and the C0 ones):
/// trimming removes them before the control check ever sees them.
fn whitespace() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        ' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
        '\u{2028}', '\u{2029}', '\u{202f}', '\u{3000}',
    ])
}

pub(crate) fn padding() -> impl Strategy<Value = String> {
    prop::collection::vec(whitespace(), 0..4).prop_map(|c| c.into_iter().collect())
}

fn allowed_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("no control characters", |c| !is_control(*c))
}

/// An allowed character that trimming would not remove, so it can stand at either end.
fn edge_char() -> impl Strategy<Value = char> {
    allowed_char().prop_filter("not whitespace", |c| !c.is_whitespace())
}

/// A control-free name whose length in scalar values is drawn from `len`, with non-whitespace ends
/// so trimming leaves it unchanged.
fn trimmed_name(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    len.prop_flat_map(|n| {
        if n == 1 {
            edge_char().prop_map(String::from).boxed()
        } else {
            (
                edge_char(),
                prop::collection::vec(allowed_char(), n - 2),
                edge_char(),
            )
                .prop_map(|(first, middle, last)| {
                    std::iter::once(first)
                        .chain(middle)
                        .chain(std::iter::once(last))
                        .collect()
                })
                .boxed()
        }
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// Whatever comes in, a name that gets through is the trimmed input, 1–100 scalar values long,
    /// with no control characters; and parsing never panics.
    #[test]
    fn a_parsed_name_is_trimmed_short_and_free_of_control_characters(raw in any_text()) {
        if let Ok(name) = UserName::parse(&raw) {
            let name = name.as_str();
            prop_assert_eq!(name, raw.trim());
            prop_assert_eq!(name.trim(), name);
            prop_assert!((1..=100).contains(&name.chars().count()));
            prop_assert!(!name.chars().any(is_control));
        }
    }

    /// The rule is not stricter than the contract: every control-free name of 1–100 scalar values,
    /// however it is padded, is accepted and stored exactly as trimmed.
    #[test]
    fn any_control_free_name_of_1_to_100_scalar_values_is_accepted_as_trimmed(
        before in padding(),
        name in trimmed_name(1..=100),
        after in padding(),
    ) {
        let parsed = UserName::parse(&format!("{before}{name}{after}"));
        prop_assert_eq!(parsed.as_ref().map(UserName::as_str), Ok(name.as_str()));
    }

    /// Length is counted in scalar values after trimming, so 101 of them is one too many.
    #[test]
    fn a_name_of_more_than_100_scalar_values_after_trimming_is_refused(
        before in padding(),
        name in trimmed_name(101..=140),
        after in padding(),
    ) {
        let raw = format!("{before}{name}{after}");
        prop_assert!(UserName::parse(&raw).is_err());
    }

    /// A control character inside the name (where trimming cannot reach it) is refused.
    #[test]
    fn a_name_with_a_control_character_inside_is_refused(
        head in trimmed_name(1..=40),
        control in prop_oneof![
            prop::char::range('\u{0}', '\u{1f}'),
            prop::char::range('\u{7f}', '\u{9f}'),
        ],
        tail in trimmed_name(1..=40),
    ) {
        let raw = format!("{head}{control}{tail}");
        prop_assert!(UserName::parse(&raw).is_err());
    }
}
