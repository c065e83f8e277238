//! Each port twice: `aws` (the official SDK crates) and `embedded` (in-process, persisted to a
//! local folder), plus `counting`, a wrapper that counts requests for the benchmarks, and `discarding`, which
//! keeps an import's writes out of memory to measure the import alone.

pub mod aws;
pub mod counting;
pub mod discarding;
pub mod embedded;
