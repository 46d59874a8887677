//! Untrusted text quoted for an error message.
//!
//! `{:?}` would do the quoting, but `Debug` for `str` links core's Unicode printability
//! tables and `char` escaping into every app (several KB of wasm). Escaping the quote, the
//! backslash and control characters is all an error message needs to stay on one line and
//! unambiguous.

use std::fmt::{self, Write as _};

/// Shows a string in double quotes, with `"`, `\` and control characters escaped.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut plain = 0;
        for (at, c) in self.0.char_indices() {
            let escape = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                c if c.is_control() => "",
                _ => continue,
            };
            f.write_str(self.0.get(plain..at).unwrap_or_default())?;
            if escape.is_empty() {
                // `\u{..}` in lower-case hex by hand: `{:x}` would link integer formatting.
                // Control characters end at U+009F, so two digits at most.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let digit = |n: u32| char::from(HEX[n as usize & 15]);
                let n = c as u32;
                f.write_str("\\u{")?;
                if n >= 16 {
                    f.write_char(digit(n >> 4))?;
                }
                f.write_char(digit(n))?;
                f.write_str("}")?;
            } else {
                f.write_str(escape)?;
            }
            plain = at + c.len_utf8();
        }
        f.write_str(self.0.get(plain..).unwrap_or_default())?;
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(Quoted("a\"b\n\u{7}").to_string(), r#""a\"b\n\u{7}""#);
    }

    #[test]
    fn escapes_what_would_break_the_message() {
        assert_eq!(Quoted("").to_string(), "\"\"");
        assert_eq!(Quoted("plain text").to_string(), "\"plain text\"");
        assert_eq!(
            Quoted("a\\b\"c\r\n\t\u{0}\u{1b}\u{9f}").to_string(),
            r#""a\\b\"c\r\n\t\u{0}\u{1b}\u{9f}""#
        );
        assert_eq!(Quoted("héllo ✓").to_string(), "\"héllo ✓\"");
    }

    /// Property tests run natively only (proptest is a native dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::Quoted;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the input, the quoted form is one line, starts and ends with a quote,
            /// and agrees with `Debug` wherever `Debug` prints the character as it is.
            #[test]
            fn agrees_with_debug_on_printable_text(s in "\\PC*") {
                let ours = Quoted(&s).to_string();
                prop_assert!(!ours.contains(['\n', '\r']));
                prop_assert!(ours.starts_with('"') && ours.ends_with('"') && ours.len() >= 2);
                if s.chars().all(|c| format!("{c:?}").chars().count() == 3 || c == '"' || c == '\\') {
                    prop_assert_eq!(ours, format!("{s:?}"));
                }
            }

            #[test]
            fn control_characters_are_escaped(s in "[\\x00-\\x1f\\x7f-\\u{9f}a\"\\\\]*") {
                let ours = Quoted(&s).to_string();
                prop_assert!(!ours.chars().any(char::is_control));
            }
        }
    }
}
