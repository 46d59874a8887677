//! Ways to make a [`Status`] or a [`Code`] as tonic users expect: one constructor per code,
//! `Code` from and to `i32`, and metadata errors as statuses (so `?` works in interceptors
//! and in functions that return `Result<_, Status>`).

use std::sync::Arc;

use super::metadata::InvalidMetadata;
use super::status::{Code, Status};

/// One constructor per code, named as tonic names them.
macro_rules! constructors {
    ($($name:ident => $code:ident),* $(,)?) => {
        impl Status {
            $(
                #[doc = concat!("A status with code [`Code::", stringify!($code), "`] and `message`.")]
                pub fn $name(message: impl Into<String>) -> Status {
                    Status::new(Code::$code, message)
                }
            )*
        }
    };
}

constructors! {
    ok => Ok,
    cancelled => Cancelled,
    unknown => Unknown,
    invalid_argument => InvalidArgument,
    deadline_exceeded => DeadlineExceeded,
    not_found => NotFound,
    already_exists => AlreadyExists,
    permission_denied => PermissionDenied,
    resource_exhausted => ResourceExhausted,
    failed_precondition => FailedPrecondition,
    aborted => Aborted,
    out_of_range => OutOfRange,
    unimplemented => Unimplemented,
    internal => Internal,
    unavailable => Unavailable,
    data_loss => DataLoss,
    unauthenticated => Unauthenticated,
}

impl From<i32> for Code {
    /// As [`Code::from_i32`]: values outside 0..=16 are [`Code::Unknown`].
    fn from(value: i32) -> Code {
        Code::from_i32(value)
    }
}

impl From<Code> for i32 {
    fn from(code: Code) -> i32 {
        code.as_i32()
    }
}

impl From<InvalidMetadata> for Status {
    /// `INTERNAL` with the error's text; the error is the status's
    /// [`source`](std::error::Error::source). Metadata the caller builds is refused before
    /// anything is sent, so this is a bug on the calling side, not the server's answer.
    fn from(error: InvalidMetadata) -> Status {
        let mut status = Status::internal(error.to_string());
        status.set_source(Arc::new(error));
        status
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;
    use crate::protocol::metadata::MetadataMap;

    #[test]
    fn each_constructor_makes_its_own_code() {
        let made = [
            (Status::ok("m"), Code::Ok),
            (Status::cancelled("m"), Code::Cancelled),
            (Status::unknown("m"), Code::Unknown),
            (Status::invalid_argument("m"), Code::InvalidArgument),
            (Status::deadline_exceeded("m"), Code::DeadlineExceeded),
            (Status::not_found("m"), Code::NotFound),
            (Status::already_exists("m"), Code::AlreadyExists),
            (Status::permission_denied("m"), Code::PermissionDenied),
            (Status::resource_exhausted("m"), Code::ResourceExhausted),
            (Status::failed_precondition("m"), Code::FailedPrecondition),
            (Status::aborted("m"), Code::Aborted),
            (Status::out_of_range("m"), Code::OutOfRange),
            (Status::unimplemented("m"), Code::Unimplemented),
            (Status::internal("m"), Code::Internal),
            (Status::unavailable("m"), Code::Unavailable),
            (Status::data_loss("m"), Code::DataLoss),
            (Status::unauthenticated("m"), Code::Unauthenticated),
        ];
        for (n, (status, code)) in made.iter().enumerate() {
            assert_eq!(status.code(), *code);
            assert_eq!(status.code().as_i32(), n as i32, "{code:?} is {n}");
            assert_eq!(status.message(), "m");
        }
    }

    #[test]
    fn code_converts_from_and_to_i32() {
        for n in 0..=16 {
            assert_eq!(i32::from(Code::from(n)), n);
        }
        assert_eq!(Code::from(17), Code::Unknown);
        assert_eq!(Code::from(-1), Code::Unknown);
    }

    #[test]
    fn invalid_metadata_becomes_internal_with_its_source() {
        fn build() -> Result<MetadataMap, Status> {
            let mut map = MetadataMap::new();
            map.insert("Bad Key", "v")?;
            Ok(map)
        }
        let status = build().expect_err("the key has a space");
        assert_eq!(status.code(), Code::Internal);
        assert!(
            !cfg!(feature = "detailed-errors") || status.message().contains("\"bad key\""),
            "{status}"
        );
        let source = status.source().expect("the InvalidMetadata");
        assert_eq!(
            source.downcast_ref::<InvalidMetadata>(),
            Some(&InvalidMetadata::Key("bad key".into()))
        );
    }

    #[test]
    fn the_source_does_not_change_equality_and_survives_a_clone() {
        let plain = Status::not_found("x");
        let mut with = plain.clone();
        with.set_source(Arc::new(InvalidMetadata::Reserved("te".into())));
        assert_eq!(plain, with);
        assert!(plain.source().is_none());
        assert!(with.clone().source().is_some());
    }

    #[test]
    fn with_metadata_is_tonics_constructor_and_metadata_mut_changes_it() {
        let mut trailers = MetadataMap::new();
        trailers.insert("x-trace", "1").unwrap();
        let mut status = Status::with_metadata(Code::Aborted, "retry", trailers);
        assert_eq!((status.code(), status.message()), (Code::Aborted, "retry"));
        assert_eq!(status.metadata().get("x-trace"), Some("1"));
        status.metadata_mut().insert("x-more", "2").unwrap();
        assert_eq!(status.metadata().get("x-more"), Some("2"));
    }
}
