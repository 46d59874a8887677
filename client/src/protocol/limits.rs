//! Size limits on what a reply may hold, checked before anything is allocated for it.

/// Size limits for what a reply may contain.
///
/// On by default: a frame's length prefix is checked against them before a byte is
/// buffered for it, and a compressed message is inflated only up to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes (gRPC's customary default: 4 MiB), compressed or
    /// once decompressed.
    pub max_message_size: usize,
    /// Largest trailer block accepted, in bytes.
    pub max_trailers_size: usize,
    /// Largest set of response headers accepted (names and values), in bytes.
    pub max_headers_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_size: 4 * 1024 * 1024,
            max_trailers_size: 64 * 1024,
            max_headers_size: 64 * 1024,
        }
    }
}
