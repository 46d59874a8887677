//! The bytes on the wire, for people who want to see them: a message in its gRPC-Web frame
//! (flags byte, 4-byte big-endian length, the protobuf bytes), as hex.

/// How many bytes a hex view shows before it says how many more there are.
const SHOWN: usize = 96;

/// `message` in a data frame, as sent and received.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(5 + message.len());
    frame.push(0);
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(message);
    frame
}

/// A frame as hex: the 5-byte header apart from the message, 16 bytes a line.
pub fn hex(frame: &[u8]) -> String {
    let (head, body) = frame.split_at(frame.len().min(5));
    let pairs = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = format!(
        "{}  │ frame header: flags, length {}",
        pairs(head),
        body.len()
    );
    for line in body[..body.len().min(SHOWN)].chunks(16) {
        out.push('\n');
        out.push_str(&pairs(line));
    }
    if body.len() > SHOWN {
        out.push_str(&format!("\n… {} more bytes", body.len() - SHOWN));
    }
    out
}
