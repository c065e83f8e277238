//! Compresses the two long domain lists (`data/public_suffix_list.dat`, 246 KB, and
//! `data/disposable-mail-domains.txt`, 867 KB) into `OUT_DIR`, so the functions that validate
//! domains embed them at about a third of their size (docs/BENCHMARKS.md: the lists were most
//! of lead-capture's, partner-api's and the portal's excess over their size budget). The text
//! files stay the source; `domain::company_domain` inflates a list on its first use.

use std::path::PathBuf;

const LISTS: [&str; 2] = ["public_suffix_list.dat", "disposable-mail-domains.txt"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in LISTS {
        let source = format!("data/{name}");
        println!("cargo:rerun-if-changed={source}");
        let text = std::fs::read(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let packed = miniz_oxide::deflate::compress_to_vec(&text, 10);
        std::fs::write(out.join(format!("{name}.deflate")), packed).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
