//! The workspace's `uniffi-bindgen`, pinned to the same uniffi version as `sellerkit-ffi`.
//!
//! Run it as `cargo run -p uniffi-bindgen -- generate --library <lib> --language kotlin ...`;
//! see `scripts/test-kotlin.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
