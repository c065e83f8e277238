//! The build script of every function (each `Cargo.toml` names it with `build = "../build.rs"`).
//!
//! Links each function as a position-dependent executable (`-no-pie`). A position-independent
//! one carries a relative relocation for every pointer in its read-only data (vtables, string
//! slices, the SDK's tables: ~400 KB of `.rela.dyn` in an SDK function) and the loader applies
//! them all before `main` — the largest part of init left once the SDK's start-up work was cut.
//! Measured on lead-capture: 7.44 → 7.05 MiB stripped, 1.56 → 1.33 M instructions and
//! 1.32–1.35× → 1.24–1.25× hello-lambda's init (docs/BENCHMARKS.md). What it gives up: the
//! executable's own code and data load at a fixed address (no ASLR for the image; the stack,
//! heap and shared libraries stay randomised). Each function runs alone in its own microVM,
//! parses untrusted input only in safe Rust, and links no `unsafe` of ours.
//!
//! Only the functions' binaries are linked this way (`-bins`): their dependencies compile as
//! before, so the flag costs no rebuild, and tests and the local stack are unchanged. Checked
//! with cargo-lambda's zig linker for x86_64 and arm64 (what `sam build` runs).
fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
