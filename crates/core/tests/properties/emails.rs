//! Email parsing.

use super::*;

/// A plausible ASCII address in any case, possibly padded with whitespace.
fn email_like() -> impl Strategy<Value = String> {
    (
        padding(),
        "[A-Za-z0-9._%+-]{1,20}",
        prop::collection::vec("[A-Za-z0-9-]{1,10}", 2..=3),
        padding(),
    )
        .prop_map(|(before, local, labels, after)| {
            format!("{before}{local}@{}{after}", labels.join("."))
        })
}

/// Addresses, near-addresses (with a stray character spliced in) and arbitrary text.
fn email_input() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => email_like(),
        2 => (email_like(), any::<prop::sample::Index>(), prop::sample::select(vec![
            '@', ' ', '.', '\u{0}', '\u{85}', 'İ', 'Σ', 'ẞ', 'K', '\u{212a}',
        ]))
            .prop_map(|(text, at, extra)| {
                let mut chars: Vec<char> = text.chars().collect();
                chars.insert(at.index(chars.len() + 1), extra);
                chars.into_iter().collect()
            }),
        1 => any_text(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// One canonical form: the stored email is the input trimmed and lower-cased, with exactly one
    /// `@`, a non-empty local part, a dotted domain and at most 254 characters.
    #[test]
    fn a_parsed_email_is_the_trimmed_lowercased_input_with_one_at_sign(raw in email_input()) {
        if let Ok(email) = Email::parse(&raw) {
            let email = email.as_str();
            prop_assert_eq!(email, raw.trim().to_lowercase());
            prop_assert_eq!(email.matches('@').count(), 1);
            let (local, domain) = email.split_once('@').unwrap();
            prop_assert!(!local.is_empty());
            prop_assert!(domain.contains('.'));
            prop_assert!(email.chars().count() <= Email::MAX_LEN);
            prop_assert!(!email.chars().any(|c| c.is_whitespace() || is_control(c)));
        }
    }

    /// Uniqueness is checked on the canonical form, so canonicalising twice must change nothing:
    /// parse(parse(x)) == parse(x).
    #[test]
    fn parsing_a_canonical_email_again_gives_the_same_email(raw in email_input()) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
        }
    }

    /// Well-formed addresses are accepted whatever their padding and ASCII case, and two spellings
    /// that differ only in case are the same email.
    #[test]
    fn a_well_formed_email_is_accepted_in_any_case_and_padding(raw in email_like()) {
        let email = Email::parse(&raw);
        prop_assert!(email.is_ok(), "{:?} refused: {:?}", raw, email);
        prop_assert_eq!(Email::parse(&raw.to_ascii_uppercase()), email.clone());
        prop_assert_eq!(Email::parse(&raw.to_ascii_lowercase()), email);
    }

    /// The 254-character cap is applied to the canonical form.
    #[test]
    fn an_email_of_more_than_254_characters_is_refused(local in "[a-z]{243,300}") {
        let raw = format!("{local}@example.com");
        prop_assert!(raw.chars().count() > 254);
        prop_assert!(Email::parse(&raw).is_err());
    }
}
