//! Identifiers: user ids (positive integers), order ids (ULIDs), product skus.

use std::fmt;
use std::str::FromStr;

use ulid::Ulid;

use crate::clock::Timestamp;

/// A positive user id that fits a signed 64-bit column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(i64);

impl UserId {
    pub fn new(value: i64) -> Option<Self> {
        (value > 0).then_some(UserId(value))
    }

    /// Parses a path or query segment: ASCII digits only, no sign, no leading `+`, positive.
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse::<i64>().ok().and_then(UserId::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A ULID: its time part is the order's `created_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(Ulid);

impl OrderId {
    /// An id for an order created at `at`, with `random` filling the 80 random bits.
    pub fn from_parts(at: Timestamp, random: u128) -> Self {
        let millis = u64::try_from(at.as_millis()).unwrap_or(0);
        OrderId(Ulid::from_parts(millis, random))
    }

    /// Accepts the canonical 26-character Crockford form (upper or lower case). The first character
    /// carries only 3 bits, so anything above `7` would overflow 128 bits and is refused.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != ulid::ULID_LEN
            || !text.starts_with(['0', '1', '2', '3', '4', '5', '6', '7'])
        {
            return None;
        }
        Ulid::from_str(text).ok().map(OrderId)
    }

    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_bytes()
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        OrderId(Ulid::from_bytes(bytes))
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_string())
    }
}

/// A product's stock-keeping unit: 1–64 ASCII letters, digits, `-` or `_`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Sku(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Sku> for String {
    fn from(sku: Sku) -> String {
        sku.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_rejects_zero_signs_and_overflow() {
        for text in [
            "0",
            "-1",
            "+1",
            "",
            "1.0",
            "9223372036854775808",
            " 1",
            "1e3",
        ] {
            assert_eq!(UserId::parse(text), None, "{text:?}");
        }
        assert_eq!(UserId::parse("42").map(UserId::get), Some(42));
    }

    #[test]
    fn order_id_time_part_is_the_creation_instant() {
        let at = Timestamp::from_millis(1_795_756_381_123);
        let id = OrderId::from_parts(at, 7);
        assert_eq!(OrderId::parse(&id.to_string()), Some(id));
        assert_eq!(id.0.timestamp_ms(), 1_795_756_381_123);
    }

    #[test]
    fn order_id_refuses_overflowing_and_wrong_length_text() {
        assert!(OrderId::parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ").is_some());
        assert!(OrderId::parse("81ARZ3NDEKTSV4RRFFQ69G5FAV").is_none());
        assert!(OrderId::parse("01ARZ3NDEKTSV4RRFFQ69G5FA").is_none());
        assert!(OrderId::parse("01arz3ndektsv4rrffq69g5fav").is_some());
    }
}
