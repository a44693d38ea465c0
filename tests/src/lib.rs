//! Black-box tests live under `hall/`; this library is empty.
