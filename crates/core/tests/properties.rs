//! Property tests for `twinstack-core`: each test states one rule of the v1 contract
//! (`/work/shared/notes/contract-v1.md`) as a sentence and checks it on generated inputs.
//!
//! Case counts are kept modest so the whole file runs in a few seconds. Failure persistence is off
//! so a failing run leaves no regression files behind; a failure prints its minimal input instead.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use twinstack_core::idempotency::fingerprint;
use twinstack_core::seed::DataSet;
use twinstack_core::summary::{self, summarize};
use twinstack_core::validate;
use twinstack_core::{
    CreateOrder, Cursor, DomainError, Email, IdempotencyKey, Order, OrderId, OrderItem,
    OrderItemRequest, OrderPage, OrderStatus, Product, Qty, Sku, Summary, Timestamp, UserId,
    UserName,
};

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The contract's control characters: U+0000–U+001F and U+007F–U+009F.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn user(n: i64) -> UserId {
    UserId::new(n).expect("positive")
}

fn sku(text: &str) -> Sku {
    Sku::parse(text).expect("well-formed sku")
}

/// Any string at all, biased towards the characters the parsers care about.
fn any_text() -> impl Strategy<Value = String> {
    let interesting = prop_oneof![
        4 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        1 => prop::sample::select(vec![' ', '\t', '\n', '\u{a0}', '\u{2003}', '\u{3000}']),
        1 => prop::sample::select(vec!['@', '.', '-', '_', 'A', 'z', '0', '9', 'İ', 'Σ', 'ß']),
    ];
    prop::collection::vec(interesting, 0..120).prop_map(|chars| chars.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// Parsing: UserName
// ---------------------------------------------------------------------------------------------

/// Unicode White_Space characters, including two that are also controls (U+0085 and the C0 ones):
/// trimming removes them before the control check ever sees them.
fn whitespace() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        ' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
        '\u{2028}', '\u{2029}', '\u{202f}', '\u{3000}',
    ])
}

fn padding() -> impl Strategy<Value = String> {
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

// ---------------------------------------------------------------------------------------------
// Parsing: Email
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Parsing: UserId, OrderId, Sku, IdempotencyKey
// ---------------------------------------------------------------------------------------------

/// Crockford base32 as ULIDs write it: no I, L, O or U.
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What the contract calls a user id in a path: digits only, naming an integer in 1..=i64::MAX.
fn is_user_id_text(text: &str) -> bool {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let significant = text.trim_start_matches('0');
    !significant.is_empty()
        && significant.len() <= 19
        && significant.parse::<u64>().unwrap() <= i64::MAX as u64
}

fn order_id() -> impl Strategy<Value = OrderId> {
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

    /// A sku is 1–64 ASCII letters, digits, `-` or `_`, kept as written; the serde form agrees.
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
        prop_assert_eq!(serde_json::from_value::<Sku>(json!(text)).ok(), parsed);
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

// ---------------------------------------------------------------------------------------------
// Parsing: validate::create_order
// ---------------------------------------------------------------------------------------------

/// Any JSON value, with keys drawn mostly from the ones `create_order` looks at.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1001i64..1001).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        (-5.0f64..5.0).prop_map(Value::from),
        prop::sample::select(vec![1.0, 2.0, 1000.0, 1001.0, 1e16, 1e300, -0.0])
            .prop_map(Value::from),
        "[A-Za-z0-9 _-]{0,6}".prop_map(Value::from),
        any_text().prop_map(Value::from),
    ];
    let key = prop_oneof![
        4 => prop::sample::select(vec!["userId", "items", "sku", "qty"]).prop_map(str::to_owned),
        1 => "[a-zA-Z\\[\\].]{0,6}",
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A generated field: the JSON to send and, when the contract accepts it, the parsed value.
type Field<T> = (Value, Option<T>);

fn user_id_field() -> impl Strategy<Value = Field<i64>> {
    prop_oneof![
        12 => (1..=i64::MAX).prop_map(|n| (json!(n), Some(n))),
        4 => (1..1_000_000i64).prop_map(|n| (json!(n as f64), Some(n))),
        1 => (i64::MIN..=0).prop_map(|n| (json!(n), None)),
        1 => (i64::MAX as u64 + 1..=u64::MAX).prop_map(|n| (json!(n), None)),
        1 => (0..1000i64).prop_map(|n| (json!(n as f64 + 0.5), None)),
        1 => "[0-9]{1,4}".prop_map(|s| (json!(s), None)),
        1 => Just((Value::Null, None)),
        1 => Just((json!([1]), None)),
    ]
}

fn sku_field() -> impl Strategy<Value = Field<Sku>> {
    prop_oneof![
        24 => prop::sample::select(vec!["A", "B", "C", "PROD-001", "prod-001", "x_y", "Z-9", "q"])
            .prop_map(|s| (json!(s), Some(sku(s)))),
        1 => prop::sample::select(vec!["", "bad sku", "é", "PROD.001"]).prop_map(|s| (json!(s), None)),
        1 => Just((json!("x".repeat(65)), None)),
        1 => Just((json!(7), None)),
        1 => Just((Value::Null, None)),
    ]
}

fn qty_field() -> impl Strategy<Value = Field<Qty>> {
    prop_oneof![
        18 => (1..=1000u32).prop_map(|n| (json!(n), Qty::new(n))),
        6 => (1..=1000u32).prop_map(|n| (json!(f64::from(n)), Qty::new(n))),
        1 => prop::sample::select(vec![0i64, -1, 1001, i64::from(u32::MAX) + 1, i64::MIN])
            .prop_map(|n| (json!(n), None)),
        1 => Just((json!(2.5), None)),
        1 => Just((json!("3"), None)),
        1 => Just((Value::Null, None)),
    ]
}

/// One line of `items`: not an object at all, or an object whose fields may be missing, wrong or
/// joined by an unknown one.
#[derive(Clone, Debug)]
enum LineCase {
    NotAnObject(Value),
    Object {
        sku: Option<Field<Sku>>,
        qty: Option<Field<Qty>>,
        extra: bool,
    },
}

fn line_case() -> impl Strategy<Value = LineCase> {
    prop_oneof![
        1 => prop::sample::select(vec![json!("PROD-001"), json!(1), Value::Null, json!([])])
            .prop_map(LineCase::NotAnObject),
        16 => (
            prop::option::weighted(0.95, sku_field()),
            prop::option::weighted(0.95, qty_field()),
            prop::bool::weighted(0.05),
        )
            .prop_map(|(sku, qty, extra)| LineCase::Object { sku, qty, extra }),
    ]
}

/// Long lists of good, distinct lines around the 50-item limit.
fn long_lines() -> impl Strategy<Value = Vec<LineCase>> {
    (48usize..=52).prop_map(|n| {
        (0..n)
            .map(|i| {
                let text = format!("SKU-{i}");
                LineCase::Object {
                    sku: Some((json!(text), Some(sku(&text)))),
                    qty: Some((json!(1), Qty::new(1))),
                    extra: false,
                }
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
enum ItemsCase {
    NotAnArray(Value),
    Lines(Vec<LineCase>),
}

#[derive(Clone, Debug)]
enum BodyCase {
    NotAnObject(Value),
    Object {
        user_id: Option<Field<i64>>,
        items: Option<ItemsCase>,
        extra: bool,
    },
}

fn body_case() -> impl Strategy<Value = BodyCase> {
    let items = prop_oneof![
        1 => prop::sample::select(vec![json!({}), json!("items"), Value::Null, json!(3)])
            .prop_map(ItemsCase::NotAnArray),
        8 => prop::collection::vec(line_case(), 0..=4).prop_map(ItemsCase::Lines),
        2 => long_lines().prop_map(ItemsCase::Lines),
    ];
    prop_oneof![
        1 => prop::sample::select(vec![json!([]), json!("order"), Value::Null, json!(1)])
            .prop_map(BodyCase::NotAnObject),
        12 => (
            prop::option::weighted(0.95, user_id_field()),
            prop::option::weighted(0.95, items),
            prop::bool::weighted(0.05),
        )
            .prop_map(|(user_id, items, extra)| BodyCase::Object { user_id, items, extra }),
    ]
}

/// What the contract says about a body: its JSON, the command when it is valid, and otherwise
/// the field paths of every rule it breaks (store checks aside).
struct Expectation {
    json: Value,
    command: Option<CreateOrder>,
    fields: Vec<String>,
}

fn expect(case: &BodyCase) -> Expectation {
    let (user_id, items, extra) = match case {
        BodyCase::NotAnObject(json) => {
            return Expectation {
                json: json.clone(),
                command: None,
                fields: vec![String::new()],
            };
        }
        BodyCase::Object {
            user_id,
            items,
            extra,
        } => (user_id, items, *extra),
    };
    let mut json = serde_json::Map::new();
    let mut fields = Vec::new();
    if extra {
        json.insert("extra".into(), json!(true));
        fields.push("extra".to_owned());
    }
    let user_id = match user_id {
        Some((value, parsed)) => {
            json.insert("userId".into(), value.clone());
            parsed.map(user)
        }
        None => None,
    };
    if user_id.is_none() {
        fields.push("userId".to_owned());
    }
    let lines = match items {
        None => None,
        Some(ItemsCase::NotAnArray(value)) => {
            json.insert("items".into(), value.clone());
            None
        }
        Some(ItemsCase::Lines(lines)) => {
            let (lines_json, parsed) = expect_lines(lines, &mut fields);
            json.insert("items".into(), lines_json);
            parsed
        }
    };
    let items_ok = matches!(items, Some(ItemsCase::Lines(l)) if (1..=50).contains(&l.len()));
    if !items_ok {
        fields.push("items".to_owned());
    }
    let command = match (user_id, lines) {
        (Some(user_id), Some(items)) if fields.is_empty() => Some(CreateOrder { user_id, items }),
        _ => None,
    };
    Expectation {
        json: Value::Object(json),
        command,
        fields,
    }
}

/// The lines' JSON and, when every line is good and the skus are distinct, the parsed lines.
/// Errors are only expected for 1–50 lines: outside that the list is refused as a whole.
fn expect_lines(
    lines: &[LineCase],
    fields: &mut Vec<String>,
) -> (Value, Option<Vec<OrderItemRequest>>) {
    let checked = (1..=50).contains(&lines.len());
    let mut report = |field: String| {
        if checked {
            fields.push(field);
        }
    };
    let mut json = Vec::new();
    let mut parsed = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        match line {
            LineCase::NotAnObject(value) => {
                json.push(value.clone());
                report(format!("items[{i}]"));
            }
            LineCase::Object { sku, qty, extra } => {
                let mut object = serde_json::Map::new();
                if *extra {
                    object.insert("extra".into(), json!(1));
                    report(format!("items[{i}].extra"));
                }
                let sku = sku.as_ref().and_then(|(value, parsed)| {
                    object.insert("sku".into(), value.clone());
                    parsed.clone()
                });
                match &sku {
                    None => report(format!("items[{i}].sku")),
                    // A repeated sku is reported on the later line.
                    Some(sku) if !seen.insert(sku.clone()) => report(format!("items[{i}].sku")),
                    Some(_) => {}
                }
                let qty = qty.as_ref().and_then(|(value, parsed)| {
                    object.insert("qty".into(), value.clone());
                    *parsed
                });
                if qty.is_none() {
                    report(format!("items[{i}].qty"));
                }
                json.push(Value::Object(object));
                if let (Some(sku), Some(qty)) = (sku, qty) {
                    parsed.push(OrderItemRequest { sku, qty });
                }
            }
        }
    }
    let all_good = parsed.len() == lines.len();
    (Value::Array(json), all_good.then_some(parsed))
}

/// A rendered field path split back into keys and indexes, which sort like the contract's
/// "sorted by field path": `items[2]` before `items[10]`, the body itself (``) first.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Key(String),
    Index(usize),
}

fn parts(rendered: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    for dotted in rendered.split('.').filter(|s| !s.is_empty()) {
        let mut pieces = dotted.split('[');
        let key = pieces.next().unwrap_or_default();
        if !key.is_empty() {
            parts.push(Part::Key(key.to_owned()));
        }
        for index in pieces {
            let index = index.strip_suffix(']').expect("closed index");
            parts.push(Part::Index(index.parse().expect("numeric index")));
        }
    }
    parts
}

proptest! {
    #![proptest_config(config(256))]

    /// Validation takes whatever JSON the HTTP layer parsed: it must never panic, a refusal always
    /// names at least one field, an acceptance always satisfies every rule, and the same body always
    /// gets the same answer.
    #[test]
    fn validating_any_json_never_panics_and_a_refusal_always_says_why(
        body in prop_oneof![
            any_json(),
            (any_json(), any_json()).prop_map(|(user_id, items)| json!({"userId": user_id, "items": items})),
            (any_json(), prop::collection::vec(any_json(), 0..5))
                .prop_map(|(user_id, items)| json!({"userId": user_id, "items": items})),
        ],
    ) {
        let result = validate::create_order(&body);
        match &result {
            Err(errors) => prop_assert!(!errors.is_empty()),
            Ok(command) => {
                prop_assert!((1..=CreateOrder::MAX_ITEMS).contains(&command.items.len()));
                prop_assert!(command.user_id.get() >= 1);
                let skus: HashSet<_> = command.items.iter().map(|line| &line.sku).collect();
                prop_assert_eq!(skus.len(), command.items.len());
                prop_assert!(command.items.iter().all(|line| (1..=1000).contains(&line.qty.get())));
            }
        }
        prop_assert_eq!(validate::create_order(&body), result);
    }

    /// The oracle: a body is accepted exactly when it is an object with only `userId` and `items`,
    /// a positive integer user id (integral floats allowed), and 1–50 lines of known-good, distinct
    /// skus with qty 1–1000; the command keeps the lines in request order.
    #[test]
    fn an_order_body_is_accepted_exactly_when_every_rule_holds(case in body_case()) {
        let expected = expect(&case);
        let result = validate::create_order(&expected.json);
        prop_assert_eq!(result.as_ref().ok(), expected.command.as_ref(), "body {}", expected.json);
    }

    /// All store-free checks are reported together, one error per broken rule at its field path,
    /// and the error list sorts by field path in reading order (`items[2]` before `items[10]`).
    #[test]
    fn every_broken_rule_is_reported_and_the_errors_sort_by_field_path(case in body_case()) {
        let expected = expect(&case);
        let Err(errors) = validate::create_order(&expected.json) else {
            prop_assert!(expected.command.is_some());
            return Ok(());
        };
        let DomainError::Validation { details, .. } = DomainError::validation(errors) else {
            unreachable!("validation builds a validation error");
        };
        let reported: Vec<Vec<Part>> = details.iter().map(|d| parts(&d.field.to_string())).collect();
        let mut wanted: Vec<Vec<Part>> = expected.fields.iter().map(|f| parts(f)).collect();
        wanted.sort();
        prop_assert_eq!(reported, wanted, "body {}", expected.json);
    }
}

// ---------------------------------------------------------------------------------------------
// Pricing
// ---------------------------------------------------------------------------------------------

/// The largest millisecond instant a ULID's 48-bit time part can hold.
const ULID_MAX_MILLIS: i64 = (1 << 48) - 1;

fn instant() -> impl Strategy<Value = Timestamp> {
    (0..=ULID_MAX_MILLIS).prop_map(Timestamp::from_millis)
}

/// A catalogue of distinct skus with prices up to $10M (so no sum can overflow u64), and a request
/// for 1–50 of its products in a shuffled order.
fn catalogue_and_request() -> impl Strategy<Value = (Vec<Product>, CreateOrder)> {
    prop::collection::vec(0u64..=1_000_000_000, 1..=60)
        .prop_flat_map(|prices| {
            let count = prices.len();
            let catalogue: Vec<Product> = prices
                .into_iter()
                .enumerate()
                .map(|(i, price_cents)| Product {
                    sku: sku(&format!("P-{i:03}")),
                    name: format!("product {i}"),
                    price_cents,
                })
                .collect();
            let picks =
                prop::sample::subsequence((0..count).collect::<Vec<_>>(), 1..=count.min(50))
                    .prop_shuffle();
            (
                Just(catalogue),
                picks,
                prop::collection::vec(1..=1000u32, 50),
                1..=i64::MAX,
            )
        })
        .prop_map(|(catalogue, picks, qtys, user_id)| {
            let items = picks
                .into_iter()
                .zip(qtys)
                .map(|(i, qty)| OrderItemRequest {
                    sku: catalogue[i].sku.clone(),
                    qty: Qty::new(qty).unwrap(),
                })
                .collect();
            let request = CreateOrder {
                user_id: user(user_id),
                items,
            };
            (catalogue, request)
        })
}

fn ulid_millis(id: OrderId) -> u64 {
    ulid::Ulid::from_bytes(id.to_bytes()).timestamp_ms()
}

proptest! {
    #![proptest_config(config(256))]

    /// Money adds up exactly: each line is the catalogue price times qty, and the total is the sum
    /// of the lines, i.e. Σ unit price × qty.
    #[test]
    fn an_order_total_is_the_sum_of_its_lines_and_each_line_is_price_times_qty(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let order = Order::price(OrderId::from_parts(at, random), &request, &catalogue, at).unwrap();
        let price_of = |s: &Sku| catalogue.iter().find(|p| &p.sku == s).unwrap().price_cents;
        for item in &order.items {
            prop_assert_eq!(item.unit_price_cents, price_of(&item.sku));
            prop_assert_eq!(Some(item.line_total_cents), item.unit_price_cents.checked_mul(u64::from(item.qty.get())));
        }
        let line_sum: u64 = order.items.iter().map(|i| i.line_total_cents).sum();
        let expected: u64 = request
            .items
            .iter()
            .map(|line| price_of(&line.sku) * u64::from(line.qty.get()))
            .sum();
        prop_assert_eq!(order.total_cents, line_sum);
        prop_assert_eq!(order.total_cents, expected);
    }

    /// A new order keeps the request's lines in order, belongs to the requesting user, is pending,
    /// and was created and last updated at the given instant, under the given id.
    #[test]
    fn a_priced_order_keeps_the_request_order_and_starts_pending_at_the_given_instant(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let id = OrderId::from_parts(at, random);
        let order = Order::price(id, &request, &catalogue, at).unwrap();
        let lines: Vec<(&Sku, Qty)> = order.items.iter().map(|i| (&i.sku, i.qty)).collect();
        let asked: Vec<(&Sku, Qty)> = request.items.iter().map(|l| (&l.sku, l.qty)).collect();
        prop_assert_eq!(lines, asked);
        prop_assert_eq!(order.id, id);
        prop_assert_eq!(order.user_id, request.user_id);
        prop_assert_eq!(order.status, OrderStatus::Pending);
        prop_assert_eq!(order.created_at, at);
        prop_assert_eq!(order.updated_at, at);
    }

    /// A ULID and the createdAt of the same order come from the same instant: the id's time part is
    /// createdAt in milliseconds.
    #[test]
    fn an_order_id_carries_its_creation_instant_in_its_time_part(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let order = Order::price(OrderId::from_parts(at, random), &request, &catalogue, at).unwrap();
        prop_assert_eq!(ulid_millis(order.id) as i64, order.created_at.as_millis());
    }

    /// Unknown skus are all reported, each with its line index, in line order.
    #[test]
    fn pricing_reports_exactly_the_unknown_skus_with_their_line_index(
        (catalogue, request) in catalogue_and_request(),
        unknown in prop::collection::vec(any::<bool>(), 50),
        at in instant(),
    ) {
        let mut request = request;
        let mut missing = Vec::new();
        for (i, line) in request.items.iter_mut().enumerate() {
            if unknown[i] {
                line.sku = sku(&format!("GONE-{i}"));
                missing.push((i, line.sku.clone()));
            }
        }
        let result = Order::price(OrderId::from_parts(at, 0), &request, &catalogue, at);
        if missing.is_empty() {
            prop_assert!(result.is_ok());
        } else {
            prop_assert_eq!(result.unwrap_err(), missing);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The status machine
// ---------------------------------------------------------------------------------------------

fn status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

fn is_terminal(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Shipped | OrderStatus::Cancelled)
}

proptest! {
    #![proptest_config(config(64))]

    /// Exactly four moves exist: pending→paid, pending→cancelled, paid→shipped, paid→cancelled.
    #[test]
    fn can_become_allows_exactly_the_four_documented_transitions(from in status(), to in status()) {
        use OrderStatus::*;
        let documented = [(Pending, Paid), (Pending, Cancelled), (Paid, Shipped), (Paid, Cancelled)];
        prop_assert_eq!(from.can_become(to), documented.contains(&(from, to)));
    }

    /// Shipped and cancelled orders can never move again, not even to themselves.
    #[test]
    fn shipped_and_cancelled_are_terminal(to in status()) {
        prop_assert!(!OrderStatus::Shipped.can_become(to));
        prop_assert!(!OrderStatus::Cancelled.can_become(to));
    }

    /// No status can "become" itself: a PATCH to the current status is a refused transition.
    #[test]
    fn no_status_can_become_itself(status in status()) {
        prop_assert!(!status.can_become(status));
    }

    /// The wire name of every status parses back to it, by hand and through serde.
    #[test]
    fn every_status_round_trips_through_its_wire_name(status in status()) {
        prop_assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        prop_assert_eq!(serde_json::to_value(status).unwrap(), json!(status.as_str()));
        prop_assert_eq!(serde_json::from_value::<OrderStatus>(json!(status.as_str())).unwrap(), status);
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Applying only allowed moves from any start, an order that reaches shipped or cancelled stays
    /// there, never returns to pending, and makes at most two moves in all.
    #[test]
    fn a_walk_of_allowed_moves_never_leaves_a_terminal_state(
        start in status(),
        proposals in prop::collection::vec(status(), 0..30),
    ) {
        let mut current = start;
        let mut moves = 0;
        for next in proposals {
            let was_terminal = is_terminal(current);
            if current.can_become(next) {
                prop_assert!(!was_terminal, "{:?} moved to {:?}", current, next);
                prop_assert_ne!(next, OrderStatus::Pending);
                current = next;
                moves += 1;
            }
            if was_terminal {
                prop_assert!(is_terminal(current));
            }
        }
        prop_assert!(moves <= 2);
    }
}

// ---------------------------------------------------------------------------------------------
// The pagination cursor
// ---------------------------------------------------------------------------------------------

fn cursor() -> impl Strategy<Value = Cursor> {
    (1..=i64::MAX, order_id()).prop_map(|(n, after)| Cursor {
        user_id: user(n),
        after,
    })
}

/// Text a client might send as a cursor: real cursors, hand-built ones with any version and owner,
/// corrupted ones, and arbitrary text.
fn cursor_text(owner: i64) -> impl Strategy<Value = String> {
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

proptest! {
    #![proptest_config(config(256))]

    /// A cursor reads back for the user it was issued to, and for nobody else.
    #[test]
    fn a_cursor_decodes_for_its_own_user_and_no_other(
        cursor in cursor(),
        other in 1..=i64::MAX,
    ) {
        let text = cursor.encode();
        prop_assert_eq!(Cursor::decode(&text, cursor.user_id), Some(cursor));
        if other != cursor.user_id.get() {
            prop_assert_eq!(Cursor::decode(&text, user(other)), None);
        }
    }

    /// A cursor is URL-safe base64 without padding.
    #[test]
    fn a_cursor_is_unpadded_url_safe_base64(cursor in cursor()) {
        let text = cursor.encode();
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    /// Whatever a client sends, decoding never panics; a cursor that does decode belongs to the user
    /// asked about, is the one canonical spelling of itself, and decodes for no other user.
    #[test]
    fn arbitrary_text_never_decodes_as_another_users_cursor(
        (owner, text) in (1..=5i64).prop_flat_map(|owner| (Just(owner), cursor_text(owner))),
        others in prop::collection::vec(prop_oneof![1..=5i64, 1..=i64::MAX], 1..4),
    ) {
        if let Some(decoded) = Cursor::decode(&text, user(owner)) {
            prop_assert_eq!(decoded.user_id, user(owner));
            prop_assert_eq!(decoded.encode(), text.clone());
            for other in others.into_iter().filter(|&o| o != owner) {
                prop_assert_eq!(Cursor::decode(&text, user(other)), None);
            }
        } else {
            for other in others {
                if let Some(decoded) = Cursor::decode(&text, user(other)) {
                    prop_assert_eq!(decoded.user_id, user(other));
                }
            }
        }
    }
}

/// What a client may put in `?limit=`: absent means 20, else ASCII digits naming 1–100.
fn expected_limit(text: Option<&str>) -> Option<usize> {
    let Some(text) = text else {
        return Some(20);
    };
    let significant = text.trim_start_matches('0');
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    (digits && significant.len() <= 3)
        .then(|| significant.parse::<usize>().unwrap_or(0))
        .filter(|n| (1..=100).contains(n))
}

proptest! {
    #![proptest_config(config(256))]

    /// `GET /api/orders` is accepted exactly when userId is a positive integer, limit is absent or
    /// 1–100, and a cursor, if given, was issued for that user; otherwise every bad parameter is
    /// named.
    #[test]
    fn a_list_query_is_accepted_exactly_when_user_limit_and_cursor_are_all_good(
        user_text in prop::option::weighted(0.9, prop_oneof![
            4 => (1..=5i64).prop_map(|n| n.to_string()),
            1 => "[+-]?[0-9]{0,3}",
            1 => any_text(),
        ]),
        limit_text in prop::option::of(prop_oneof![
            4 => "[0-9]{1,3}",
            1 => "[+ -]?[0-9]{1,3}",
            1 => any_text(),
        ]),
        cursor_text in prop::option::of((1..=5i64).prop_flat_map(cursor_text)),
    ) {
        let user_id = user_text.as_deref().and_then(UserId::parse);
        prop_assert_eq!(user_id.is_some(), user_text.as_deref().is_some_and(is_user_id_text));
        let limit = expected_limit(limit_text.as_deref());
        let after = match (&cursor_text, user_id) {
            (None, _) => Some(None),
            (Some(_), None) => None,
            (Some(text), Some(user_id)) => Cursor::decode(text, user_id).map(|c| Some(c.after)),
        };
        let result = validate::list_orders(user_text.as_deref(), limit_text.as_deref(), cursor_text.as_deref());
        match (user_id, limit, after) {
            (Some(user_id), Some(limit), Some(after)) => {
                let query = result.unwrap();
                prop_assert_eq!((query.user_id, query.limit, query.after), (user_id, limit, after));
            }
            _ => {
                let fields: BTreeSet<String> =
                    result.unwrap_err().iter().map(|e| e.field.to_string()).collect();
                let mut wanted = BTreeSet::new();
                if user_id.is_none() {
                    wanted.insert("userId".to_owned());
                }
                if limit.is_none() {
                    wanted.insert("limit".to_owned());
                }
                if user_id.is_some() && after.is_none() {
                    wanted.insert("cursor".to_owned());
                }
                prop_assert_eq!(fields, wanted);
            }
        }
    }

    /// A page holds the first `limit` orders fetched, in order; it has a next cursor exactly when
    /// more were fetched, and that cursor names its last order for the same user.
    #[test]
    fn a_page_has_a_next_cursor_exactly_when_more_orders_were_fetched(
        (fetched, limit, owner) in (
            now().prop_flat_map(|now| prop::collection::vec(summary_order(now), 0..30)),
            1usize..=25,
            1..=i64::MAX,
        ),
    ) {
        let mut fetched = fetched;
        fetched.sort_by_key(|order| std::cmp::Reverse(order.id));
        let page = OrderPage::from_fetched(user(owner), fetched.clone(), limit);
        prop_assert_eq!(&page.items[..], &fetched[..fetched.len().min(limit)]);
        prop_assert_eq!(page.next_cursor.is_some(), fetched.len() > limit);
        if let Some(next) = &page.next_cursor {
            let expected = Cursor { user_id: user(owner), after: page.items.last().unwrap().id };
            prop_assert_eq!(Cursor::decode(next, user(owner)), Some(expected));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Idempotency fingerprints
// ---------------------------------------------------------------------------------------------

/// Small commands, so that equal ones are drawn often.
fn small_command() -> impl Strategy<Value = CreateOrder> {
    (
        1..=2i64,
        prop::sample::subsequence(vec!["A", "B", "C"], 1..=2).prop_shuffle(),
        prop::collection::vec(1..=2u32, 2),
    )
        .prop_map(|(user_id, skus, qtys)| CreateOrder {
            user_id: user(user_id),
            items: skus
                .into_iter()
                .zip(qtys)
                .map(|(s, q)| OrderItemRequest {
                    sku: sku(s),
                    qty: Qty::new(q).unwrap(),
                })
                .collect(),
        })
}

proptest! {
    #![proptest_config(config(256))]

    /// A repeat is recognised by its fingerprint: two validated commands share one exactly when
    /// they are the same command (user and lines, in request order).
    #[test]
    fn two_commands_share_a_fingerprint_exactly_when_they_are_equal(
        a in small_command(),
        b in small_command(),
    ) {
        let (fa, fb) = (fingerprint(&a), fingerprint(&b));
        prop_assert_eq!(fa.len(), 64);
        prop_assert!(fa.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        prop_assert_eq!(fa == fb, a == b);
    }
}

// ---------------------------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------------------------

const TWO_YEARS_MILLIS: i64 = 2 * 366 * 24 * 60 * 60 * 1000;
const SUMMARY_SKUS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

/// "Now": anywhere in 2000–2099, or right at the first or last millisecond of a month, where the
/// 12-month window is easiest to get wrong.
fn now() -> impl Strategy<Value = Timestamp> {
    let first = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    let last = Utc
        .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    prop_oneof![
        2 => (first..last).prop_map(Timestamp::from_millis),
        1 => (2000i32..2100, 1u32..=12, any::<bool>()).prop_map(|(year, month, at_start)| {
            let start = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).unwrap().timestamp_millis();
            let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            let next = Utc.with_ymd_and_hms(next_year, next_month, 1, 0, 0, 0).unwrap().timestamp_millis();
            Timestamp::from_millis(if at_start { start } else { next - 1 })
        }),
    ]
}

/// An order of up to five distinct skus from a small set (so products tie and repeat across
/// orders), any status, created within two years either side of `now`.
fn summary_order(now: Timestamp) -> impl Strategy<Value = Order> {
    (
        status(),
        -TWO_YEARS_MILLIS..=TWO_YEARS_MILLIS,
        prop::sample::subsequence(SUMMARY_SKUS.to_vec(), 1..=5).prop_shuffle(),
        prop::collection::vec((1..=20u32, 0u64..=50_000), 5),
        any::<u128>(),
    )
        .prop_map(move |(status, offset, skus, lines, random)| {
            let created_at = now.plus_millis(offset);
            let items: Vec<OrderItem> = skus
                .into_iter()
                .zip(lines)
                .map(|(s, (qty, price))| OrderItem {
                    sku: sku(s),
                    qty: Qty::new(qty).unwrap(),
                    unit_price_cents: price,
                    line_total_cents: price * u64::from(qty),
                })
                .collect();
            Order {
                id: OrderId::from_parts(created_at, random),
                user_id: user(1),
                total_cents: items.iter().map(|i| i.line_total_cents).sum(),
                items,
                status,
                created_at,
                updated_at: created_at,
            }
        })
}

fn orders_at_now() -> impl Strategy<Value = (Timestamp, Vec<Order>)> {
    now().prop_flat_map(|now| (Just(now), prop::collection::vec(summary_order(now), 0..40)))
}

fn counted(orders: &[Order]) -> Vec<&Order> {
    orders
        .iter()
        .filter(|o| o.status != OrderStatus::Cancelled)
        .collect()
}

fn month_of(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m").to_string()
}

/// The month after `YYYY-MM`.
fn next_month(month: &str) -> String {
    let (year, month) = month.split_once('-').unwrap();
    let (year, month): (i32, u32) = (year.parse().unwrap(), month.parse().unwrap());
    if month == 12 {
        format!("{:04}-01", year + 1)
    } else {
        format!("{year:04}-{:02}", month + 1)
    }
}

fn summary_of(now: Timestamp, orders: &[Order]) -> Summary {
    summarize(user(1), orders, now)
}

proptest! {
    #![proptest_config(config(128))]

    /// Cancelled orders are left out: the count is the number of the others.
    #[test]
    fn the_order_count_is_the_number_of_non_cancelled_orders((now, orders) in orders_at_now()) {
        let summary = summary_of(now, &orders);
        prop_assert_eq!(summary.user_id, user(1));
        prop_assert_eq!(summary.order_count, counted(&orders).len() as u64);
    }

    /// Total spent is the sum of the non-cancelled totals; the average is its floor over the count,
    /// and null when there is nothing to average.
    #[test]
    fn total_spent_sums_non_cancelled_totals_and_the_average_is_its_floor(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let counted = counted(&orders);
        let total: u64 = counted.iter().map(|o| o.total_cents).sum();
        prop_assert_eq!(summary.total_spent_cents, total);
        let average = (!counted.is_empty()).then(|| total / counted.len() as u64);
        prop_assert_eq!(summary.average_order_cents, average);
    }

    /// First and last order are the earliest and latest createdAt among non-cancelled orders, and
    /// null without any.
    #[test]
    fn first_and_last_order_are_the_earliest_and_latest_non_cancelled_instants(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let counted = counted(&orders);
        prop_assert_eq!(summary.first_order_at, counted.iter().map(|o| o.created_at).min());
        prop_assert_eq!(summary.last_order_at, counted.iter().map(|o| o.created_at).max());
    }

    /// Top products are at most five, by qty descending then sku ascending, and each entry's qty
    /// and spend match a brute-force recount over non-cancelled orders; they are exactly the first
    /// five of the full ranking.
    #[test]
    fn top_products_are_the_five_best_by_qty_then_sku_and_match_a_recount(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let top = &summary.top_products;
        prop_assert!(top.len() <= summary::TOP_PRODUCTS);
        for pair in top.windows(2) {
            let ordered = pair[0].qty > pair[1].qty
                || (pair[0].qty == pair[1].qty && pair[0].sku < pair[1].sku);
            prop_assert!(ordered, "{:?} before {:?}", pair[0], pair[1]);
        }
        let mut recount: BTreeMap<&Sku, (u64, u64)> = BTreeMap::new();
        for item in counted(&orders).into_iter().flat_map(|o| &o.items) {
            let entry = recount.entry(&item.sku).or_default();
            entry.0 += u64::from(item.qty.get());
            entry.1 += item.line_total_cents;
        }
        for entry in top {
            prop_assert_eq!(recount.get(&entry.sku).copied(), Some((entry.qty, entry.spent_cents)));
        }
        let mut ranking: Vec<(&Sku, u64, u64)> =
            recount.into_iter().map(|(sku, (qty, spent))| (sku, qty, spent)).collect();
        ranking.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranking.truncate(summary::TOP_PRODUCTS);
        let reported: Vec<(&Sku, u64, u64)> =
            top.iter().map(|t| (&t.sku, t.qty, t.spent_cents)).collect();
        prop_assert_eq!(reported, ranking);
    }

    /// Monthly has exactly 12 entries: consecutive months, oldest first, ending with now's UTC month.
    #[test]
    fn monthly_has_twelve_consecutive_months_ending_with_nows_utc_month(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let months: Vec<&str> = summary.monthly.iter().map(|m| m.month.as_str()).collect();
        prop_assert_eq!(months.len(), summary::MONTHS);
        let current = month_of(now);
        prop_assert_eq!(months.last().copied(), Some(current.as_str()));
        for pair in months.windows(2) {
            prop_assert_eq!(next_month(pair[0]), pair[1]);
        }
    }

    /// Every non-cancelled order created inside the window lands in its own month (orders and
    /// spend), so Σ monthly.orders is the number of such orders; orders outside it are not counted.
    #[test]
    fn monthly_counts_every_non_cancelled_order_created_in_the_window(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let window: BTreeSet<&str> = summary.monthly.iter().map(|m| m.month.as_str()).collect();
        let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut in_window = 0u64;
        for order in counted(&orders) {
            let month = month_of(order.created_at);
            if window.contains(month.as_str()) {
                in_window += 1;
                let entry = expected.entry(month).or_default();
                entry.0 += 1;
                entry.1 += order.total_cents;
            }
        }
        for month in &summary.monthly {
            let (orders, spent) = expected.get(&month.month).copied().unwrap_or_default();
            prop_assert_eq!((month.orders, month.spent_cents), (orders, spent), "{}", month.month);
        }
        prop_assert_eq!(summary.monthly.iter().map(|m| m.orders).sum::<u64>(), in_window);
    }

    /// Stores return orders in whatever order suits them; the summary must not care.
    #[test]
    fn the_summary_does_not_depend_on_the_order_of_its_input(
        (now, orders, shuffled) in orders_at_now().prop_flat_map(|(now, orders)| {
            (Just(now), Just(orders.clone()), Just(orders).prop_shuffle())
        }),
    ) {
        prop_assert_eq!(summary_of(now, &shuffled), summary_of(now, &orders));
    }

    /// Cancelled orders are left out of everything: adding some changes nothing at all.
    #[test]
    fn adding_cancelled_orders_changes_nothing(
        (now, orders, cancelled) in orders_at_now().prop_flat_map(|(now, orders)| {
            (Just(now), Just(orders), prop::collection::vec(summary_order(now), 0..10))
        }),
    ) {
        let mut with_cancelled = orders.clone();
        with_cancelled.extend(cancelled.into_iter().map(|mut o| {
            o.status = OrderStatus::Cancelled;
            o
        }));
        prop_assert_eq!(summary_of(now, &with_cancelled), summary_of(now, &orders));
    }
}

// ---------------------------------------------------------------------------------------------
// Seed data
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(24))]

    /// Seeding is deterministic: the same sizes give the same data set and the same checksum, with
    /// 100 products, N users with ids 1…N and k orders each.
    #[test]
    fn the_seed_data_set_is_the_same_every_time(users in 0u32..=8, per_user in 0u32..=4) {
        let first = DataSet::generate(users, per_user);
        let again = DataSet::generate(users, per_user);
        prop_assert_eq!(first.checksum(), again.checksum());
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(first.products.len(), 100);
        let ids: Vec<i64> = first.users.iter().map(|u| u.id.get()).collect();
        prop_assert_eq!(ids, (1..=i64::from(users)).collect::<Vec<_>>());
        prop_assert_eq!(first.orders.len(), (users * per_user) as usize);
    }

    /// Each store reads its rows back in its own order; the checksum must come out the same.
    #[test]
    fn the_seed_checksum_does_not_depend_on_row_order(
        (data, products, users, orders) in (1u32..=6, 1u32..=4).prop_flat_map(|(users, per_user)| {
            let data = DataSet::generate(users, per_user);
            (
                Just(data.clone()),
                Just(data.products).prop_shuffle(),
                Just(data.users).prop_shuffle(),
                Just(data.orders).prop_shuffle(),
            )
        }),
    ) {
        let shuffled = DataSet { products, users, orders };
        prop_assert_eq!(shuffled.checksum(), data.checksum());
    }

    /// Seeded orders obey the same rules as created ones: priced from the catalogue, total = Σ lines,
    /// the id carries createdAt, and each order belongs to a seeded user.
    #[test]
    fn seeded_orders_are_priced_from_the_catalogue_and_carry_their_instant(
        users in 1u32..=6,
        per_user in 1u32..=5,
    ) {
        let data = DataSet::generate(users, per_user);
        let price: BTreeMap<&Sku, u64> = data.products.iter().map(|p| (&p.sku, p.price_cents)).collect();
        for order in &data.orders {
            prop_assert!((1..=i64::from(users)).contains(&order.user_id.get()));
            prop_assert_eq!(ulid_millis(order.id) as i64, order.created_at.as_millis());
            prop_assert!(order.updated_at >= order.created_at);
            for item in &order.items {
                prop_assert_eq!(Some(&item.unit_price_cents), price.get(&item.sku));
                prop_assert_eq!(item.line_total_cents, item.unit_price_cents * u64::from(item.qty.get()));
            }
            prop_assert_eq!(order.total_cents, order.items.iter().map(|i| i.line_total_cents).sum::<u64>());
        }
    }
}
