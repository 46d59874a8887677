//! Error text in two sizes. With the feature `detailed-errors` (on by default) a message says
//! what went wrong and with which values; without it, only a short fixed phrase per kind of
//! failure. The [`Code`](super::status::Code) is the same either way, and so is every
//! decision: only the words change. A minimal app saves the formatting code and the text
//! (measured in `bench/FINDINGS.md`, 2026-12-06 session 9).

/// The message for an error: `format!($full)` with `detailed-errors`, else `$terse`.
///
/// Without the feature the full form still type-checks (so its arguments count as used and
/// the two builds warn alike) but sits behind `if false`, which the compiler removes.
macro_rules! detail {
    ($terse:literal, $($full:tt)+) => {{
        #[cfg(feature = "detailed-errors")]
        let message: String = format!($($full)+);
        #[cfg(not(feature = "detailed-errors"))]
        let message: String = {
            if false {
                let _ = format!($($full)+);
            }
            String::from($terse)
        };
        message
    }};
}

/// A fixed message: `$full` with `detailed-errors`, else `$terse`. For long explanations
/// that need no values.
macro_rules! fixed {
    ($terse:literal, $full:literal) => {{
        #[cfg(feature = "detailed-errors")]
        let message: &'static str = $full;
        #[cfg(not(feature = "detailed-errors"))]
        let message: &'static str = $terse;
        message
    }};
}

/// `write!` for a `Display` of an error: the full text with `detailed-errors`, else `$terse`.
macro_rules! write_detail {
    ($f:expr, $terse:literal, $($full:tt)+) => {{
        #[cfg(feature = "detailed-errors")]
        let written = write!($f, $($full)+);
        #[cfg(not(feature = "detailed-errors"))]
        let written = {
            if false {
                let _ = format!($($full)+);
            }
            $f.write_str($terse)
        };
        written
    }};
}

pub(crate) use {detail, fixed, write_detail};
