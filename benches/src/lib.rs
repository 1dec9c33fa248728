//! Criterion benchmarks of the scalesim engine; they live in `benches/` beside this empty
//! library, which only gives the package a target.
