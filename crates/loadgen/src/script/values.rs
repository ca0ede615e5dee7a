//! Values Artillery reads loosely, read the same way: numbers that may be strings (it casts with
//! lodash `_.toNumber`, so env-substituted strings work), durations with units, weights, header
//! values, and a capture that may be one mapping or a list of them.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// A non-negative finite number, or a string holding one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number(pub f64);

/// A duration in seconds as Artillery reads `duration` and `think`: a whole number is seconds, a string
/// with a unit goes through the `ms` package (`"500ms"`, `"2m"`). A bare fraction is refused: Artillery
/// would hand it to `ms` as a number and get nonsense back (`think: 0.5` waits about a millisecond).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seconds(pub f64);

/// A scenario weight or a loop count: Artillery's `parseInt` of a number or a string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WholeNumber(pub u32);

/// A header value as written: a string, or a number or boolean taken as its text.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderText(pub String);

/// One item, or a list of them (Artillery wraps a single capture in a list).
#[derive(Clone, Debug, PartialEq)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a non-negative number")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Number, E> {
        Ok(Number(value as f64))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Number, E> {
        if value < 0 {
            return Err(E::invalid_value(Unexpected::Signed(value), &self));
        }
        Ok(Number(value as f64))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Number, E> {
        if value.is_finite() && value >= 0.0 {
            Ok(Number(value))
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Number, E> {
        match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() && value >= 0.0 => Ok(Number(value)),
            _ => Err(E::invalid_value(Unexpected::Str(text), &self)),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

struct SecondsVisitor;

impl<'de> Visitor<'de> for SecondsVisitor {
    type Value = Seconds;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(
            "whole seconds or a duration with a unit (\"500ms\", \"1.5s\", \"2m\", \"1h\")",
        )
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Seconds, E> {
        Ok(Seconds(value as f64))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Seconds, E> {
        Err(E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Seconds, E> {
        Err(E::invalid_value(Unexpected::Float(value), &self))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Seconds, E> {
        duration(text.trim())
            .map(Seconds)
            .ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
    }
}

/// `"300"`, `"500ms"`, `"1.5s"`, `"2 minutes"`, `"1h"`, in seconds.
fn duration(text: &str) -> Option<f64> {
    if let Ok(whole) = text.parse::<u64>() {
        return Some(whole as f64);
    }
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let amount: f64 = text[..split].trim().parse().ok()?;
    let unit_seconds = match text[split..].to_ascii_lowercase().as_str() {
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        _ => return None,
    };
    Some(amount * unit_seconds).filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Seconds, D::Error> {
        deserializer.deserialize_any(SecondsVisitor)
    }
}

struct WholeNumberVisitor;

impl<'de> Visitor<'de> for WholeNumberVisitor {
    type Value = WholeNumber;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a whole number")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<WholeNumber, E> {
        u32::try_from(value)
            .map(WholeNumber)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<WholeNumber, E> {
        Err(E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<WholeNumber, E> {
        Err(E::invalid_value(Unexpected::Float(value), &self))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<WholeNumber, E> {
        text.trim()
            .parse::<u64>()
            .ok()
            .and_then(|value| u32::try_from(value).ok())
            .map(WholeNumber)
            .ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
    }
}

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WholeNumber, D::Error> {
        deserializer.deserialize_any(WholeNumberVisitor)
    }
}

struct HeaderTextVisitor;

impl<'de> Visitor<'de> for HeaderTextVisitor {
    type Value = HeaderText;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<HeaderText, E> {
        Ok(HeaderText(text.to_owned()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<HeaderText, E> {
        Ok(HeaderText(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<HeaderText, E> {
        Ok(HeaderText(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<HeaderText, E> {
        Ok(HeaderText(value.to_string()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<HeaderText, E> {
        Ok(HeaderText(value.to_string()))
    }
}

impl<'de> Deserialize<'de> for HeaderText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HeaderText, D::Error> {
        deserializer.deserialize_any(HeaderTextVisitor)
    }
}

struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a mapping or a list of mappings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<OneOrMany<T>, A::Error> {
        let mut many = Vec::new();
        while let Some(item) = items.next_element()? {
            many.push(item);
        }
        Ok(OneOrMany::Many(many))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OneOrMany<T>, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn secs(value: Value) -> Result<f64, serde_json::Error> {
        Seconds::deserialize(value).map(|seconds| seconds.0)
    }

    #[test]
    fn durations_read_like_artillerys() {
        assert_eq!(secs(json!(300)).unwrap(), 300.0);
        assert_eq!(secs(json!("300")).unwrap(), 300.0);
        assert_eq!(secs(json!("500ms")).unwrap(), 0.5);
        assert_eq!(secs(json!("1.5s")).unwrap(), 1.5);
        assert_eq!(secs(json!("2 minutes")).unwrap(), 120.0);
        assert_eq!(secs(json!("1h")).unwrap(), 3600.0);
    }

    #[test]
    fn ambiguous_durations_are_refused() {
        for value in [
            json!(0.5),
            json!("1.5"),
            json!("soon"),
            json!("-1s"),
            json!(true),
        ] {
            assert!(secs(value.clone()).is_err(), "{value}");
        }
    }

    #[test]
    fn numbers_may_be_strings_but_never_negative() {
        let number = |value: Value| Number::deserialize(value).map(|number| number.0);

        assert_eq!(number(json!(2.5)).unwrap(), 2.5);
        assert_eq!(number(json!(" 7 ")).unwrap(), 7.0);
        assert_eq!(
            number(json!(-1)).unwrap_err().to_string(),
            "invalid value: integer `-1`, expected a non-negative number"
        );
        assert_eq!(
            number(json!("many")).unwrap_err().to_string(),
            "invalid value: string \"many\", expected a non-negative number"
        );
    }
}
