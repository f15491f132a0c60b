//! Benchmarks (filled in with the domain engine).
fn main() {}
