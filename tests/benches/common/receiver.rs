//! A webhook receiver for the benchmarks: answers every POST 204 at once on kept-alive
//! connections and counts what arrived, so that the dispatcher is measured, not the receiver.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Counts deliveries and keeps the moment of the last one.
#[derive(Debug)]
pub struct Receiver {
    /// Its URL.
    pub url: String,
    received: Arc<AtomicU64>,
    last: Arc<Mutex<Option<Instant>>>,
}

impl Receiver {
    /// Listens on a free loopback port, one thread per connection.
    pub fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
        let url = format!("http://{}/hall", listener.local_addr().expect("addr"));
        let received = Arc::new(AtomicU64::new(0));
        let last = Arc::new(Mutex::new(None));
        let (count, moment) = (received.clone(), last.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (count, moment) = (count.clone(), moment.clone());
                std::thread::spawn(move || serve(stream, &count, &moment));
            }
        });
        Self {
            url,
            received,
            last,
        }
    }

    /// Deliveries so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// When the last delivery arrived.
    pub fn last(&self) -> Option<Instant> {
        *self.last.lock().expect("last")
    }
}

fn serve(stream: TcpStream, count: &AtomicU64, last: &Mutex<Option<Instant>>) {
    let mut writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        count.fetch_add(1, Ordering::Relaxed);
        *last.lock().expect("last") = Some(Instant::now());
        if writer
            .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}
