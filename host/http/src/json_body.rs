//! How a JSON request body is read: it must be a JSON object, a struct anywhere in it must be a
//! JSON object too (serde's derive also takes an array, matching fields by position: `[true]`
//! would set the first field), and an integer must fit 64 bits (serde_json keeps a larger one
//! only approximately, as a float, and free JSON such as form data would be stored changed).

use std::fmt;

use axum::http::StatusCode;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::error::ApiError;

/// Digits of the shortest integer that may not fit 64 bits (`i64::MAX` has 19): a body without
/// such a run of digits is not scanned further.
const DIGITS_BEYOND_64_BITS: usize = 19;

/// Reads `bytes` as the request body of type `T`.
pub(super) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_an_object(bytes));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = T::deserialize(ObjectsOnly(&mut de)).and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(value) => match inexact_integer(bytes) {
            None => Ok(value),
            Some((path, literal)) => Err(integer_out_of_range(&path, &literal)),
        },
        Err(e) if e.classify() == serde_json::error::Category::Data => Err(shape_error::<T>(bytes)),
        Err(e) => Err(malformed(&e)),
    }
}

fn not_an_object(bytes: &[u8]) -> ApiError {
    match serde_json::from_slice::<de::IgnoredAny>(bytes) {
        Ok(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body must be a JSON object ({...}), not an array or a single value",
        ),
        Err(e) => malformed(&e),
    }
}

fn malformed(e: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_json",
        format!("the body is not valid JSON: {e}"),
    )
}

/// Parses a refused body again, tracking where each value sits, to name the offending field.
fn shape_error<T: DeserializeOwned>(bytes: &[u8]) -> ApiError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let message = match serde_path_to_error::deserialize::<_, T>(ObjectsOnly(&mut de)) {
        Err(e) if e.path().iter().next().is_some() => format!("{}: {}", e.path(), e.inner()),
        Err(e) => e.inner().to_string(),
        Ok(_) => "the body does not match what this endpoint takes".to_string(),
    };
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_body",
        format!("the body does not have the expected shape: {message}"),
    )
}

fn integer_out_of_range(path: &str, literal: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "integer_out_of_range",
        format!(
            "field '{path}': the integer {literal} does not fit 64 bits, so it would not be kept \
             exactly; send it as a string"
        ),
    )
}

/// The path and text of the first integer literal (no fraction, no exponent) in a valid JSON
/// document that fits neither `i64` nor `u64`.
fn inexact_integer(json: &[u8]) -> Option<(String, String)> {
    let longest_digit_run = json
        .split(|b| !b.is_ascii_digit())
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    if longest_digit_run < DIGITS_BEYOND_64_BITS {
        return None;
    }
    let mut scan = Scan::default();
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => i = scan.string(json, i),
            b'{' => scan.open(Frame::Object {
                key: None,
                in_value: false,
            }),
            b'[' => scan.open(Frame::Array { index: 0 }),
            b'}' | b']' => {
                scan.stack.pop();
            }
            b':' => scan.colon(),
            b',' => scan.comma(),
            b'-' | b'0'..=b'9' => {
                let end = json[i..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(json.len(), |n| i + n);
                let literal = std::str::from_utf8(&json[i..end]).unwrap_or_default();
                if beyond_64_bits(literal) {
                    return Some((scan.path(), literal.to_string()));
                }
                i = end - 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn beyond_64_bits(literal: &str) -> bool {
    let integer = !literal.contains(['.', 'e', 'E']);
    integer && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err()
}

/// Where the scan of `inexact_integer` is in the document.
#[derive(Default)]
struct Scan {
    stack: Vec<Frame>,
}

enum Frame {
    Object { key: Option<String>, in_value: bool },
    Array { index: usize },
}

impl Scan {
    fn open(&mut self, frame: Frame) {
        self.stack.push(frame);
    }

    fn colon(&mut self) {
        if let Some(Frame::Object { in_value, .. }) = self.stack.last_mut() {
            *in_value = true;
        }
    }

    fn comma(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Object { in_value, .. }) => *in_value = false,
            Some(Frame::Array { index }) => *index += 1,
            None => {}
        }
    }

    /// Skips the string starting at `start` (a quote), keeping it when it is an object's key;
    /// answers the index of its closing quote.
    fn string(&mut self, json: &[u8], start: usize) -> usize {
        let mut end = start + 1;
        while end < json.len() && json[end] != b'"' {
            end += if json[end] == b'\\' { 2 } else { 1 };
        }
        let end = end.min(json.len() - 1);
        if let Some(Frame::Object {
            key,
            in_value: false,
        }) = self.stack.last_mut()
        {
            *key = serde_json::from_slice(&json[start..=end]).ok();
        }
        end
    }

    /// `a.b[2].c`
    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Object { key, .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key.as_deref().unwrap_or("?"));
                }
                Frame::Array { index } => path.push_str(&format!("[{index}]")),
            }
        }
        path
    }
}

/// A deserializer that refuses a JSON array where a struct is expected, at every depth.
struct ObjectsOnly<D>(D);

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Wrap::any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap::any(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap::any(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap::any(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_tuple_struct(name, len, Wrap::any(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, Wrap::object(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap::any(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor that hands on every nested value through `ObjectsOnly`; for a struct it refuses an
/// array.
struct Wrap<V> {
    inner: V,
    object_only: bool,
}

impl<V> Wrap<V> {
    fn any(inner: V) -> Wrap<V> {
        Wrap {
            inner,
            object_only: false,
        }
    }

    fn object(inner: V) -> Wrap<V> {
        Wrap {
            inner,
            object_only: true,
        }
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(ObjectsOnly(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(ObjectsOnly(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.object_only {
            return Err(de::Error::invalid_type(
                de::Unexpected::Seq,
                &"a JSON object",
            ));
        }
        self.inner.visit_seq(Nested(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Nested(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Nested(data))
    }
}

/// An element, entry, variant or seed of a wrapped value, itself wrapped.
struct Nested<T>(T);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Nested(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Nested(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Nested(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nested<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(ObjectsOnly(d))
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Nested<A> {
    type Error = A::Error;
    type Variant = Nested<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Nested<A::Variant>), A::Error> {
        let (value, variant) = self.0.variant_seed(Nested(seed))?;
        Ok((value, Nested(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Nested(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::any(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap::object(visitor))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::Value;

    use super::parse;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)] // read through Debug only
    struct Outer {
        flag: Option<bool>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        data: Option<Value>,
    }

    #[derive(Debug, Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        name: String,
    }

    fn refused(body: &str) -> (String, String) {
        let e = parse::<Outer>(body.as_bytes()).expect_err(body);
        (e.code, e.message)
    }

    #[test]
    fn objects_are_read_at_every_depth() {
        let ok: Outer = parse(
            br#"{"flag": true, "inner": {"name": "a"}, "list": [{"name": "b"}], "data": [1, [2]]}"#,
        )
        .unwrap();
        assert_eq!(ok.flag, Some(true));
        assert_eq!(ok.list.unwrap().len(), 1);
        assert_eq!(ok.data.unwrap(), serde_json::json!([1, [2]]));
    }

    #[test]
    fn arrays_for_structs_are_refused_at_every_depth() {
        for body in ["[true]", " [] ", "\"x\"", "5", "null"] {
            assert_eq!(refused(body).0, "invalid_body", "{body}");
        }
        let (code, message) = refused(r#"{"inner": ["a"]}"#);
        assert_eq!(code, "invalid_body");
        assert!(
            message.contains("inner") && message.contains("JSON object"),
            "{message}"
        );
        let (_, message) = refused(r#"{"list": [{"name": "b"}, ["c"]]}"#);
        assert!(message.contains("list[1]"), "{message}");
        assert_eq!(refused("[1").0, "malformed_json");
        assert_eq!(refused("").0, "malformed_json");
    }

    #[test]
    fn integers_beyond_64_bits_are_refused_naming_the_field() {
        let fits: Outer =
            parse(br#"{"data": {"a": 18446744073709551615, "b": -9223372036854775808}}"#).unwrap();
        assert_eq!(fits.data.unwrap()["a"], u64::MAX);
        let (code, message) = refused(
            r#"{"data": {"s": "123456789012345678901234", "x": [1, {"big": 18446744073709551616}]}}"#,
        );
        assert_eq!(code, "integer_out_of_range");
        assert!(message.contains("'data.x[1].big'"), "{message}");
        assert!(message.contains("18446744073709551616"), "{message}");
        assert_eq!(
            refused(r#"{"data": {"k\"ey": -9223372036854775809}}"#).1,
            "field 'data.k\"ey': the integer -9223372036854775809 does not fit 64 bits, so it \
             would not be kept exactly; send it as a string"
        );
        // Floats are floats: an exponent or a fraction is not an integer.
        parse::<Outer>(br#"{"data": [1e300, 123456789012345678901234.5]}"#).unwrap();
    }
}
