//! Readers that stop reading (over HTTP/1.1 and HTTP/2) are cut off and their memory given
//! back; a reader that is only slow gets its whole reply.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{self, Server};

/// A connection with a tiny receive buffer, so a reply stalls in the server, not in the
/// kernel's buffers.
async fn small_window_connection(server: &Server) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr.parse().unwrap()).await.unwrap();
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// `SimpleRequest { response_size }` framed for gRPC-Web: field 2, varint.
fn unary_call_frame(response_size: u32) -> Vec<u8> {
    let mut message = vec![0x10];
    let mut n = response_size;
    while n >= 0x80 {
        message.push((n as u8) | 0x80);
        n >>= 7;
    }
    message.push(n as u8);
    let mut frame = vec![0];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    frame
}

/// Opens 50 connections that each ask for a 4 MiB reply and never read it, and waits
/// until the server has buffered the replies; returns them and the RSS then.
async fn stalled_readers(server: &Server, rss_before: u64) -> (Vec<TcpStream>, u64) {
    let frame = unary_call_frame(4 * 1024 * 1024 - 64);
    let head = format!(
        "POST /grpc.testing.TestService/UnaryCall HTTP/1.1\r\nhost: {}\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         content-length: {}\r\n\r\n",
        server.addr,
        frame.len()
    );
    let mut stalled = Vec::new();
    for _ in 0..50 {
        let mut s = small_window_connection(server).await;
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&frame).unwrap();
        stalled.push(s);
    }
    let pid = server.child.id();
    let held = common::eventually(Duration::from_secs(3), || {
        common::rss_mib(pid) > rss_before + 100
    });
    let rss = common::rss_mib(pid);
    assert!(held, "the replies were never buffered ({rss} MiB)");
    // At most about one message per stalled call.
    assert!(
        rss < rss_before + 50 * 6,
        "{rss} MiB for 50 stalled 4 MiB replies (from {rss_before} MiB)"
    );
    (stalled, rss)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_that_never_read_are_cut_off_and_their_memory_given_back() {
    let server = Server::start(&["--interop", "--write-timeout", "2"]);
    let pid = server.child.id();
    let (fds_before, rss_before) = (common::open_fds(pid), common::rss_mib(pid));
    let fds_back = || {
        common::eventually(Duration::from_secs(6), || {
            common::open_fds(pid) <= fds_before
        })
    };

    // Clients that leave by themselves: their memory goes back to the system.
    let (stalled, rss_stalled) = stalled_readers(&server, rss_before).await;
    drop(stalled);
    assert!(fds_back(), "connections the clients closed stayed open");
    let rss_left = common::rss_mib(pid);

    // Clients that stay: the write timeout closes their connections.
    let (stalled, _) = stalled_readers(&server, rss_before).await;
    let closed = fds_back();
    let rss_cut = common::rss_mib(pid);
    eprintln!(
        "RSS {rss_before} MiB before, {rss_stalled} MiB stalled, {rss_left} MiB after the \
         clients left, {rss_cut} MiB after the server cut the next 50 off"
    );
    assert!(
        closed,
        "{} descriptors open, {fds_before} before",
        common::open_fds(pid)
    );
    for rss in [rss_left, rss_cut] {
        assert!(
            rss < rss_before + 30,
            "{rss} MiB held after the connections closed"
        );
    }
    drop(stalled);
}

/// Over HTTP/2 a reader that stops reading withholds flow-control credit: the socket
/// never blocks, so the reply waits in the server. Its connection is closed all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_streams_whose_reader_stopped_are_cut_off() {
    use proto::grpc::testing::test_service_client::TestServiceClient;
    use proto::grpc::testing::{ResponseParameters, StreamingOutputCallRequest};

    let server = Server::start(&["--interop", "--write-timeout", "2"]);
    let pid = server.child.id();
    let (fds_before, rss_before) = (common::open_fds(pid), common::rss_mib(pid));
    let mut client =
        TestServiceClient::new(server.channel().await).max_decoding_message_size(8 << 20);
    let mut unread = Vec::new();
    for _ in 0..10 {
        let request = StreamingOutputCallRequest {
            response_parameters: vec![
                ResponseParameters {
                    size: 4 * 1024 * 1024 - 64,
                    ..Default::default()
                };
                3
            ],
            ..Default::default()
        };
        let reply = client.streaming_output_call(request).await.unwrap();
        unread.push(reply.into_inner());
    }
    let held = common::eventually(Duration::from_secs(3), || {
        common::rss_mib(pid) > rss_before + 30
    });
    let rss_stalled = common::rss_mib(pid);
    assert!(held, "the replies were never buffered ({rss_stalled} MiB)");
    let closed = common::eventually(Duration::from_secs(8), || {
        common::open_fds(pid) <= fds_before
    });
    assert!(
        closed,
        "{} descriptors open, {fds_before} before",
        common::open_fds(pid)
    );
    // The socket closes first; the streams' tasks drop their buffered replies when they
    // are next polled, a moment later, so the memory is awaited rather than read at once.
    let cut = Instant::now();
    let freed = common::eventually(Duration::from_secs(5), || {
        common::rss_mib(pid) < rss_before + 30
    });
    let rss_cut = common::rss_mib(pid);
    eprintln!(
        "RSS {rss_before} MiB before, {rss_stalled} MiB stalled, {rss_cut} MiB {:?} after the cut",
        cut.elapsed()
    );
    assert!(freed, "{rss_cut} MiB held 5 s after the cut");
    // The reader learns of it when it reads again.
    let mut ended = false;
    for stream in &mut unread {
        while let Ok(Some(_)) = stream.message().await {}
        ended = true;
    }
    assert!(ended);
}

/// A reader that is slow but keeps reading is not taken for one that stopped: the kernel
/// reports room in the socket only in large steps, so refused writes alone say little.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_that_keeps_reading_gets_its_whole_reply() {
    let server = Server::start(&["--interop", "--write-timeout", "1"]);
    let mut s = small_window_connection(&server).await;
    let frame = unary_call_frame(4 * 1024 * 1024 - 64);
    let head = format!(
        "POST /grpc.testing.TestService/UnaryCall HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\ncontent-length: {}\r\n\r\n",
        server.addr,
        frame.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&frame).unwrap();
    // About 400 KB/s: some 11 s for the reply, eleven write timeouts.
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) => panic!("after {} bytes: {e}", raw.len()),
        }
        std::thread::sleep(Duration::from_millis(10));
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "too slow a test"
        );
    }
    // The trailer frame is the last thing sent, its text as it is in binary mode.
    assert!(
        raw.windows(13).any(|w| w == b"grpc-status:0"),
        "cut off after {} bytes",
        raw.len()
    );
}
