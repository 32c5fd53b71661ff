//! A validating JSON scanner that builds no values: the bytes stay the representation (DESIGN.md
//! §3, data is never re-encoded). Numbers are checked by their grammar only, never converted, so
//! `7.0`, `1e400` and 20-digit integers pass untouched and cannot fail or panic; nesting is bounded
//! without recursion. The same rules as the control plane's `scanJson` (packages/contracts).

/// Arrays and objects nested in one document (the contracts' `JsonLimits.maxDepth`).
pub const MAX_DEPTH: usize = 1000;

/// One member of a top-level object: its key and the byte range of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub key: String,
    pub start: usize,
    pub end: usize,
}

/// Why bytes are not one JSON document within the depth limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub reason: &'static str,
    pub offset: usize,
    pub too_deep: bool,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// Checks that `bytes` are one JSON document (RFC 8259, UTF-8) nesting at most `max_depth`
/// containers; returns the top-level object's members (in order, duplicates kept), or None when
/// the document is not an object.
pub fn scan(bytes: &[u8], max_depth: usize) -> Result<Option<Vec<Member>>, ScanError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ScanError {
            reason: "the text is not valid UTF-8",
            offset: e.valid_up_to(),
            too_deep: false,
        });
    }
    Scanner {
        b: bytes,
        i: 0,
        open: Vec::new(),
        max_depth,
    }
    .document()
}

/// Whether `bytes` are one valid JSON document within MAX_DEPTH.
pub fn is_json(bytes: &[u8]) -> Result<(), ScanError> {
    scan(bytes, MAX_DEPTH).map(|_| ())
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// true: object, false: array; one entry per open container.
    open: Vec<bool>,
    max_depth: usize,
}

enum Opened {
    Object,
    Array,
    Scalar,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn fail<T>(&self, reason: &'static str) -> Result<T, ScanError> {
        Err(ScanError {
            reason,
            offset: self.i,
            too_deep: false,
        })
    }

    fn document(mut self) -> Result<Option<Vec<Member>>, ScanError> {
        self.skip_space();
        let mut members = if self.peek() == Some(b'{') {
            Some(Vec::new())
        } else {
            None
        };
        let mut key = String::new();
        let mut value_start = 0;
        loop {
            if members.is_some() && self.open.len() == 1 {
                value_start = self.i;
            }
            match self.value()? {
                Opened::Object => {
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        self.open.pop();
                    } else {
                        let k = self.key()?;
                        if self.open.len() == 1 {
                            key = k;
                        }
                        continue;
                    }
                }
                Opened::Array => {
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        self.open.pop();
                    } else {
                        continue;
                    }
                }
                Opened::Scalar => {}
            }
            // After a complete value: record a top-level member, then close containers or go on.
            loop {
                if let Some(list) = members.as_mut() {
                    if self.open.len() == 1 {
                        list.push(Member {
                            key: std::mem::take(&mut key),
                            start: value_start,
                            end: self.i,
                        });
                    }
                }
                self.skip_space();
                let Some(&in_object) = self.open.last() else {
                    if self.i != self.b.len() {
                        return self.fail("unexpected text after the JSON document");
                    }
                    return Ok(members);
                };
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        if in_object {
                            self.skip_space();
                            let k = self.key()?;
                            if self.open.len() == 1 {
                                key = k;
                            }
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.i += 1;
                        self.open.pop();
                    }
                    Some(b']') if !in_object => {
                        self.i += 1;
                        self.open.pop();
                    }
                    _ if in_object => return self.fail("expected \",\" or \"}\""),
                    _ => return self.fail("expected \",\" or \"]\""),
                }
            }
        }
    }

    /// Reads `"key"`, `:` and the space after it; decodes the key only at the top level.
    fn key(&mut self) -> Result<String, ScanError> {
        if self.peek() != Some(b'"') {
            return self.fail("expected a string key");
        }
        let start = self.i;
        let escaped = self.string()?;
        let end = self.i;
        self.skip_space();
        if self.peek() != Some(b':') {
            return self.fail("expected \":\"");
        }
        self.i += 1;
        self.skip_space();
        if self.open.len() != 1 {
            return Ok(String::new());
        }
        let raw = &self.b[start..end];
        if !escaped {
            return Ok(String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned());
        }
        // A valid JSON string; lone surrogate escapes (valid JSON) become U+FFFD in the key.
        Ok(serde_json::from_slice::<String>(raw).unwrap_or_default())
    }

    fn value(&mut self) -> Result<Opened, ScanError> {
        self.skip_space();
        match self.peek() {
            Some(c @ (b'{' | b'[')) => {
                if self.open.len() >= self.max_depth {
                    return Err(ScanError {
                        reason: "nests deeper than the depth limit",
                        offset: self.i,
                        too_deep: true,
                    });
                }
                self.open.push(c == b'{');
                self.i += 1;
                Ok(if c == b'{' {
                    Opened::Object
                } else {
                    Opened::Array
                })
            }
            Some(b'"') => self.string().map(|_| Opened::Scalar),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.fail("expected a JSON value"),
            None => self.fail("unexpected end of the JSON text"),
        }
    }

    /// Reads a string from its opening quote; returns whether it holds an escape.
    fn string(&mut self) -> Result<bool, ScanError> {
        let b = self.b;
        let mut i = self.i + 1;
        let mut escaped = false;
        loop {
            let Some(&c) = b.get(i) else {
                self.i = i;
                return self.fail("unterminated string");
            };
            match c {
                b'"' => break,
                0x00..=0x1f => {
                    self.i = i;
                    return self.fail("control character in a string");
                }
                b'\\' => {
                    escaped = true;
                    match b.get(i + 1) {
                        Some(b'u') => {
                            let hex = b.get(i + 2..i + 6);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                self.i = i;
                                return self.fail("invalid \\u escape");
                            }
                            i += 6;
                        }
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        _ => {
                            self.i = i;
                            return self.fail("invalid escape");
                        }
                    }
                }
                _ => i += 1,
            }
        }
        self.i = i + 1;
        Ok(escaped)
    }

    fn number(&mut self) -> Result<Opened, ScanError> {
        let b = self.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        if b.get(i) == Some(&b'0') {
            i += 1;
        } else if digit(i) {
            while digit(i) {
                i += 1;
            }
        } else {
            self.i = i;
            return self.fail("invalid number");
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digit(i) {
                self.i = i;
                return self.fail("invalid number: a digit must follow \".\"");
            }
            while digit(i) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digit(i) {
                self.i = i;
                return self.fail("invalid number: a digit must follow the exponent");
            }
            while digit(i) {
                i += 1;
            }
        }
        self.i = i;
        Ok(Opened::Scalar)
    }

    fn literal(&mut self, word: &[u8]) -> Result<Opened, ScanError> {
        if self.b.get(self.i..self.i + word.len()) != Some(word) {
            return self.fail("expected a JSON value");
        }
        self.i += word.len();
        Ok(Opened::Scalar)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTORS: &str = include_str!("../../packages/contracts/fixtures/json-vectors.json");

    #[test]
    fn accepts_and_refuses_the_contract_vectors() {
        let fixture: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        for text in fixture["valid"].as_array().unwrap() {
            let text = text.as_str().unwrap();
            assert!(is_json(text.as_bytes()).is_ok(), "valid: {text}");
        }
        for case in fixture["invalid"].as_array().unwrap() {
            let text = case["value"].as_str().unwrap();
            assert!(is_json(text.as_bytes()).is_err(), "invalid: {text}");
        }
    }

    #[test]
    fn lists_top_level_members_with_their_bytes() {
        let body = br#" { "input" : {"a":[1,{"b":7.0}]} , "metadata":null,"x":1e400 } "#;
        let members = scan(body, 10).unwrap().unwrap();
        let keys: Vec<_> = members.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["input", "metadata", "x"]);
        assert_eq!(
            &body[members[0].start..members[0].end],
            br#"{"a":[1,{"b":7.0}]}"#
        );
        assert_eq!(&body[members[2].start..members[2].end], b"1e400");
        assert_eq!(scan(b"[1]", 10).unwrap(), None);
    }

    #[test]
    fn bounds_depth_without_recursion() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = scan(deep.as_bytes(), MAX_DEPTH).unwrap_err();
        assert!(error.too_deep);
        let fits = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(scan(fits.as_bytes(), MAX_DEPTH).is_ok());
    }

    /// A quick fuzz loop inside `cargo test` (the cargo-fuzz targets of fuzz/ go further): random byte strings
    /// built from JSON's alphabet never panic, and the verdict agrees with serde_json wherever
    /// serde_json can decide (it refuses numbers outside f64 and does not check UTF-8 in strings).
    #[test]
    fn never_panics_and_agrees_with_serde_json_on_random_input() {
        const ALPHABET: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b":",
            b",",
            b" ",
            b"0",
            b"1",
            b"-",
            b".",
            b"e",
            b"E",
            b"+",
            b"true",
            b"null",
            b"fals",
            b"\\",
            b"u",
            b"00e9",
            b"\\ud800",
            b"\n",
            b"\x01",
            "é".as_bytes(),
            b"\xff",
            b"\xc3",
            b"{\"k\":",
            b"[1,",
            b"\"a\"",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let mut text = Vec::new();
            for _ in 0..(1 + next() % 14) {
                text.extend_from_slice(ALPHABET[(next() % ALPHABET.len() as u64) as usize]);
            }
            let ours = scan(&text, MAX_DEPTH).is_ok();
            if std::str::from_utf8(&text).is_err() {
                // serde_json skips strings without checking UTF-8; JSON text must be UTF-8.
                assert!(!ours, "not UTF-8 is not JSON");
                continue;
            }
            let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&text);
            if let Err(e) = &theirs {
                if e.to_string().contains("out of range") {
                    assert!(ours, "a number outside f64 is still JSON");
                    continue;
                }
            }
            assert_eq!(ours, theirs.is_ok(), "{:?}", String::from_utf8_lossy(&text));
        }
    }
}
