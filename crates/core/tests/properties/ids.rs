//! UserId, OrderId, Sku and IdempotencyKey parsing.

use super::*;

/// Crockford base32 as ULIDs write it: no I, L, O or U.
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub(crate) fn order_id() -> impl Strategy<Value = OrderId> {
    any::<u128>().prop_map(|n| OrderId::from_bytes(n.to_be_bytes()))
}

proptest! {
    #![proptest_config(config(256))]

    /// Every positive i64 survives the trip through its decimal text.
    #[test]
    fn every_positive_user_id_round_trips_through_its_decimal_text(n in 1..=i64::MAX) {
        let id = UserId::parse(&n.to_string());
        prop_assert_eq!(id.map(UserId::get), Some(n));
    }

    /// No sign, no space, no exponent, no unicode digits: one non-ASCII-digit anywhere is enough to
    /// refuse the text.
    #[test]
    fn a_user_id_with_any_non_digit_character_is_refused(
        head in "[0-9]{0,6}",
        odd in any::<char>().prop_filter("not an ASCII digit", |c| !c.is_ascii_digit()),
        tail in "[0-9]{0,6}",
    ) {
        prop_assert_eq!(UserId::parse(&format!("{head}{odd}{tail}")), None);
    }

    /// Over any text, a user id parses exactly when the text is ASCII digits naming 1..=i64::MAX,
    /// and then it is that number.
    #[test]
    fn a_user_id_parses_exactly_when_the_text_is_digits_naming_a_positive_i64(
        text in prop_oneof![
            "[0-9]{1,22}",
            "[+-]?[0-9]{1,4}",
            Just("9223372036854775807".to_owned()),
            Just("9223372036854775808".to_owned()),
            any_text(),
        ],
    ) {
        let parsed = UserId::parse(&text);
        prop_assert_eq!(parsed.is_some(), is_user_id_text(&text));
        if let Some(id) = parsed {
            prop_assert_eq!(id.get().to_string(), text.trim_start_matches('0'));
        }
    }

    /// An order id prints as 26 upper-case Crockford characters and parses back to itself.
    #[test]
    fn every_order_id_round_trips_through_its_text(id in order_id()) {
        let text = id.to_string();
        prop_assert_eq!(text.len(), 26);
        prop_assert!(text.chars().all(|c| CROCKFORD.contains(c)));
        prop_assert_eq!(OrderId::parse(&text), Some(id));
    }

    /// Case does not matter when an order id is read.
    #[test]
    fn order_id_parsing_ignores_case(
        id in order_id(),
        lower in prop::collection::vec(any::<bool>(), 26),
    ) {
        let mixed: String = id
            .to_string()
            .chars()
            .zip(lower)
            .map(|(c, lower)| if lower { c.to_ascii_lowercase() } else { c })
            .collect();
        prop_assert_eq!(OrderId::parse(&mixed), Some(id));
    }

    /// Text of the wrong length, or with a character outside Crockford base32 (I, L, O, U,
    /// punctuation, non-ASCII), is not an order id.
    #[test]
    fn text_that_is_not_26_crockford_characters_is_not_an_order_id(
        id in order_id(),
        at in any::<prop::sample::Index>(),
        odd in prop::sample::select(vec!['I', 'L', 'O', 'U', 'i', 'l', 'o', 'u', '-', ' ', 'é', '\u{0}']),
        cut in 0usize..26,
        extra in "[0-9A-Z]{1,4}",
    ) {
        let text = id.to_string();
        let mut spliced: Vec<char> = text.chars().collect();
        spliced[at.index(26)] = odd;
        let spliced: String = spliced.into_iter().collect();
        prop_assert_eq!(OrderId::parse(&spliced), None);
        prop_assert_eq!(OrderId::parse(&text[..cut]), None);
        prop_assert_eq!(OrderId::parse(&format!("{text}{extra}")), None);
    }

    /// A sku is 1–64 ASCII letters, digits, `-` or `_`, kept as written.
    #[test]
    fn a_sku_is_accepted_exactly_when_it_is_1_to_64_letters_digits_dashes_or_underscores(
        text in prop_oneof![
            "[A-Za-z0-9_-]{1,64}",
            "[A-Za-z0-9_-]{65,80}",
            "[A-Za-z0-9_ .-]{0,8}",
            any_text(),
        ],
    ) {
        let expected = (1..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let parsed = Sku::parse(&text);
        prop_assert_eq!(parsed.is_some(), expected);
        if let Some(parsed) = &parsed {
            prop_assert_eq!(parsed.as_str(), text.as_str());
        }
    }

    /// An idempotency key is 1–255 bytes of printable ASCII (0x20–0x7E), kept byte for byte.
    #[test]
    fn an_idempotency_key_is_accepted_exactly_when_it_is_1_to_255_printable_ascii_bytes(
        raw in prop_oneof![
            prop::collection::vec(0x20u8..=0x7e, 1..=255),
            prop::collection::vec(0x20u8..=0x7e, 256..300),
            prop::collection::vec(any::<u8>(), 0..300),
            (prop::collection::vec(0x20u8..=0x7e, 1..=255), any::<prop::sample::Index>(), any::<u8>())
                .prop_map(|(mut raw, at, byte)| {
                    let at = at.index(raw.len());
                    raw[at] = byte;
                    raw
                }),
        ],
    ) {
        let expected = (1..=255).contains(&raw.len()) && raw.iter().all(|b| (0x20..=0x7e).contains(b));
        let parsed = IdempotencyKey::parse(&raw);
        prop_assert_eq!(parsed.is_ok(), expected);
        if let Ok(key) = parsed {
            prop_assert_eq!(key.as_str().as_bytes(), raw.as_slice());
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// 26 Crockford characters hold 130 bits; the ULID spec says text above
    /// `7ZZZZZZZZZZZZZZZZZZZZZZZZZ` must be refused. (ulid 1.2.1 alone drops the top two bits, so
    /// `80000000000000000000000000` would alias `00000000000000000000000000` and
    /// `GET /api/orders/81J…` would find order `01J…` instead of answering 400 `invalid_id`.)
    #[test]
    fn order_id_text_above_the_128_bit_maximum_is_refused(
        first in prop::sample::select(CROCKFORD[8..].chars().collect::<Vec<_>>()),
        rest in "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}",
    ) {
        let text = format!("{first}{rest}");
        prop_assert_eq!(OrderId::parse(&text), None);
        prop_assert_eq!(OrderId::parse(&text.to_ascii_lowercase()), None);
    }

    /// Over every 26-character Crockford text, in either case, an order id that parses prints back
    /// as its input upper-cased: there is exactly one spelling per id, up to case.
    #[test]
    fn a_parsed_order_id_prints_back_as_its_input_upper_cased(
        text in "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}",
    ) {
        let parsed = OrderId::parse(&text);
        prop_assert_eq!(parsed.is_some(), ('0'..='7').contains(&text.chars().next().unwrap()));
        if let Some(id) = parsed {
            prop_assert_eq!(id.to_string(), text.to_ascii_uppercase());
        }
    }
}

/// The two ends of the overflow range, as plain regression cases.
#[test]
fn order_ids_starting_with_8_to_z_are_refused_rather_than_read_modulo_2_pow_128() {
    assert_eq!(OrderId::parse("80000000000000000000000000"), None);
    assert_eq!(OrderId::parse("zzzzzzzzzzzzzzzzzzzzzzzzzz"), None);
    assert!(OrderId::parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ").is_some());
}
