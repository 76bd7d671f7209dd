//! Any bytes, as a data file: decompressing and decoding must return Ok or an error, never
//! panic, hang or allocate without bound.
#![no_main]

use aekit::data::idx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(plain) = idx::decompress(std::path::Path::new("fuzz-input"), bytes) {
        if let Ok(decoded) = idx::decode(plain) {
            assert_eq!(decoded.data().len(), decoded.dims.iter().product::<usize>());
        }
    }
});
