//! The IDX/gzip parser against hostile bytes, on the stable toolchain: the corpus that
//! libFuzzer built (`fuzz/corpus/idx`, see `fuzz/Cargo.toml`) is replayed, then a seeded
//! mutation run. Every input must give Ok or an error, never a panic.

use std::path::Path;

use aekit::data::idx;

use crate::common::gzip;

fn parse(bytes: &[u8]) {
    if let Ok(plain) = idx::decompress(Path::new("fuzz-input"), bytes) {
        if let Ok(decoded) = idx::decode(plain) {
            assert_eq!(decoded.data().len(), decoded.dims.iter().product::<usize>());
        }
    }
}

#[test]
fn the_fuzz_corpus_parses_without_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/idx");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        parse(&std::fs::read(entry.unwrap().path()).unwrap());
        count += 1;
    }
    assert!(count >= 10, "the corpus in {} holds only {count} inputs", dir.display());
}

#[test]
fn seeded_mutations_of_valid_files_parse_without_panics() {
    let seeds: Vec<Vec<u8>> = [
        idx::encode(&[3, 2, 2], &[7; 12]),
        idx::encode(&[5], &[1, 2, 3, 4, 5]),
        idx::encode(&[2, 28, 28], &[9; 2 * 784]),
    ]
    .into_iter()
    .flat_map(|plain| [gzip(&plain), plain])
    .collect();
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for round in 0..20_000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..1 + next() % 4 {
            let at = next() % bytes.len().max(1);
            match next() % 5 {
                0 if !bytes.is_empty() => bytes[at] ^= 1 << (next() % 8),
                1 if !bytes.is_empty() => bytes[at] = next() as u8,
                2 => bytes.truncate(at),
                3 => bytes.insert(at.min(bytes.len()), next() as u8),
                _ if bytes.len() > 8 => bytes[4 + next() % 4] = [0, 1, 0xff, 0x7f][next() % 4],
                _ => {}
            }
        }
        parse(&bytes);
    }
}

#[test]
fn a_gzip_bomb_stops_at_the_size_limit() {
    let huge = gzip(&vec![0u8; (idx::MAX_DECOMPRESSED + 1024) as usize]);
    let err = idx::decompress(Path::new("bomb.gz"), &huge).unwrap_err().to_string();
    assert!(err.contains("bomb.gz") && err.contains("more than 256 MiB"), "{err}");
}
