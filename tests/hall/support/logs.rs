//! Everything the app logs while the tests run, kept in memory so a story can check that no
//! personal data reached the logs.

use std::io::Write;
use std::sync::{Mutex, Once};

static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURED
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Routes every log of this test process into memory, at the level `hall` logs in production.
pub fn install() {
    INSTALL.call_once(|| {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(|| Capture)
            .init();
    });
}

/// What was logged so far.
pub fn captured() -> String {
    String::from_utf8_lossy(&CAPTURED.lock().map(|c| c.clone()).unwrap_or_default()).into_owned()
}
