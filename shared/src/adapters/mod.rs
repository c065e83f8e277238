//! Each port twice: `aws` (the official SDK crates) and `embedded` (in-process, persisted to a
//! local folder), plus `counting`, a wrapper that counts requests for the benchmarks.

pub mod aws;
pub mod counting;
pub mod embedded;
