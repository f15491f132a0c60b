//! Link the `tandem` binary with packed relative relocations (RELR, `-z pack-relative-relocs`):
//! a position-independent binary otherwise carries one 24-byte relocation record per pointer in
//! its constant tables (2.3 MiB here), all read by the loader at every start and kept resident.
//! Linkers that do not know the option ignore it with a warning; glibc 2.36 and later load it.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
