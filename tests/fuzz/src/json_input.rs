//! Fuzz input bytes read as a JSON value. Input that already is JSON text (it starts with `{` or
//! `[`) is parsed as such, so a corpus can hold readable bodies; any other input is decoded by a
//! small grammar whose object keys and strings come mostly from a target's vocabulary, so that
//! random bytes reach the shapes a parser accepts instead of stopping at its first key.

use serde_json::{Map, Number, Value};

/// How deep generated values nest (arrays and objects).
const MAX_DEPTH: usize = 6;
/// The most members of one generated array or object.
const MAX_MEMBERS: usize = 8;

/// The input as a JSON value: parsed when it is JSON text, decoded otherwise (`None` when it
/// looks like JSON text but does not parse).
pub fn value(bytes: &[u8], vocabulary: &[&str]) -> Option<Value> {
    match bytes.first() {
        Some(b'{') | Some(b'[') => serde_json::from_slice(bytes).ok(),
        _ => Some(Decoder::new(bytes, vocabulary).value(0)),
    }
}

/// Reads a JSON value from bytes: each value starts with a byte choosing its kind.
struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
    vocabulary: &'a [&'a str],
}

impl<'a> Decoder<'a> {
    fn new(bytes: &'a [u8], vocabulary: &'a [&'a str]) -> Self {
        Decoder {
            bytes,
            at: 0,
            vocabulary,
        }
    }

    /// The next byte, 0 once the input is used up.
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn bytes_n(&mut self, n: usize) -> [u8; 8] {
        let mut out = [0u8; 8];
        for slot in out.iter_mut().take(n) {
            *slot = self.byte();
        }
        out
    }

    fn value(&mut self, depth: usize) -> Value {
        let kind = self.byte();
        // Containers only below the depth cap: a long input cannot nest without bound.
        let kind = if depth >= MAX_DEPTH {
            kind % 6
        } else {
            kind % 8
        };
        match kind {
            0 => Value::Null,
            1 => Value::Bool(self.byte() & 1 == 1),
            2 => Value::from(i64::from_le_bytes(self.bytes_n(8)) >> (self.byte() % 64)),
            3 => self.float(),
            4 | 5 => Value::String(self.string()),
            6 => self.array(depth),
            _ => self.object(depth),
        }
    }

    fn float(&mut self) -> Value {
        let x = f64::from_le_bytes(self.bytes_n(8));
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }

    /// A word of the vocabulary most of the time, otherwise a few raw characters.
    fn string(&mut self) -> String {
        let choice = self.byte() as usize;
        if !self.vocabulary.is_empty() && choice < 192 {
            return self.vocabulary[choice % self.vocabulary.len()].to_string();
        }
        let len = (self.byte() % 16) as usize;
        let raw: Vec<u8> = (0..len).map(|_| self.byte()).collect();
        String::from_utf8_lossy(&raw).into_owned()
    }

    fn count(&mut self) -> usize {
        (self.byte() as usize) % (MAX_MEMBERS + 1)
    }

    fn array(&mut self, depth: usize) -> Value {
        let n = self.count();
        Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
    }

    fn object(&mut self, depth: usize) -> Value {
        let n = self.count();
        let mut map = Map::new();
        for _ in 0..n {
            let key = self.string();
            let value = self.value(depth + 1);
            map.insert(key, value);
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_is_parsed_and_other_bytes_decoded() {
        assert_eq!(value(b"{\"a\": 1}", &[]), Some(serde_json::json!({"a": 1})));
        assert_eq!(value(b"[1,", &[]), None);
        assert_eq!(value(&[], &["x"]), Some(Value::Null));
        // An object (7) of one member: key "x" (vocabulary), value a string (4) "x".
        assert_eq!(
            value(&[7, 1, 0, 4, 0], &["x"]),
            Some(serde_json::json!({"x": "x"}))
        );
    }
}
