//! Each port twice: `aws` (the official SDK crates) and `embedded` (in-process, persisted to a
//! local folder), plus `counting`, a wrapper that counts requests for the benchmarks, and `discarding`, which
//! keeps an import's writes out of memory to measure the import alone, and `faults`, which
//! fails or crashes the functions at their N-th write.

//!
//! Only `aws` is compiled into the Lambda binaries: the others are behind the `embedded`
//! feature, which the local stack, the tests and the benchmarks turn on.

pub mod aws;
#[cfg(any(test, feature = "embedded"))]
pub mod counting;
#[cfg(any(test, feature = "embedded"))]
pub mod discarding;
#[cfg(any(test, feature = "embedded"))]
pub mod embedded;
#[cfg(any(test, feature = "embedded"))]
pub mod faults;
