//! Benchmarks of the scalesim engine live in `benches/`.
