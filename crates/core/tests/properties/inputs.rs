//! Inputs shared with the HTTP layer's properties, which include this file: test settings and
//! the texts a client might send.

use super::*;

pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

pub(crate) fn sku(text: &str) -> Sku {
    Sku::parse(text).expect("well-formed sku")
}

/// Any string at all, biased towards the characters the parsers care about.
pub(crate) fn any_text() -> impl Strategy<Value = String> {
    let interesting = prop_oneof![
        4 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        1 => prop::sample::select(vec![' ', '\t', '\n', '\u{a0}', '\u{2003}', '\u{3000}']),
        1 => prop::sample::select(vec!['@', '.', '-', '_', 'A', 'z', '0', '9', 'İ', 'Σ', 'ß']),
    ];
    prop::collection::vec(interesting, 0..120).prop_map(|chars| chars.into_iter().collect())
}

/// What the contract calls a user id in a path: digits only, naming an integer in 1..=i64::MAX.
pub(crate) fn is_user_id_text(text: &str) -> bool {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let significant = text.trim_start_matches('0');
    !significant.is_empty()
        && significant.len() <= 19
        && significant.parse::<u64>().unwrap() <= i64::MAX as u64
}

/// Text a client might send as a cursor: real cursors, hand-built ones with any version and owner,
/// corrupted ones, and arbitrary text.
pub(crate) fn cursor_text(owner: i64) -> impl Strategy<Value = String> {
    let built = (
        prop_oneof![3 => Just(1u8), 1 => any::<u8>()],
        prop_oneof![3 => Just(owner), 1 => any::<i64>(), 1 => 1..=3i64],
        any::<[u8; 16]>(),
        prop::collection::vec(any::<u8>(), 0..3),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(version, owner, after, extra, exact)| {
            let mut bytes = vec![version];
            bytes.extend_from_slice(&owner.to_be_bytes());
            bytes.extend_from_slice(&after);
            if !exact {
                bytes.extend(extra);
            }
            URL_SAFE_NO_PAD.encode(bytes)
        });
    let corrupted = (
        built.clone(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec!['A', '_', '-', '=', '+', '/', ' ', '.']),
    )
        .prop_map(|(text, at, c)| {
            let mut chars: Vec<char> = text.chars().collect();
            let at = at.index(chars.len());
            chars[at] = c;
            chars.into_iter().collect()
        });
    prop_oneof![
        3 => built,
        2 => corrupted,
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        1 => any_text(),
    ]
}
