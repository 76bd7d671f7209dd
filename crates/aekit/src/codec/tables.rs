//! Entropy tables: each code channel's probabilities of the integers, in the fixed point the
//! range coder needs (24 bits, every kept value at least 1/2²⁴), and the coding of one image's
//! symbols with them. Computed once from the model, so the encoder and decoder share them bit
//! for bit.

use constriction::stream::model::DefaultContiguousCategoricalEntropyModel;
use constriction::stream::queue::{DefaultRangeDecoder, DefaultRangeEncoder};
use constriction::stream::{Decode, Encode};

use crate::models::SYMBOL_RANGE;
use crate::{Error, Result};

/// Probability mass given up at each end of a channel's range: values out there are clamped to
/// the range's ends (a change of one image in a billion, at most).
const TAIL: f64 = 1e-9;

/// Fixed-point precision of the tables, constriction's default for 32-bit words.
const PRECISION: u32 = 24;

/// One code channel's table: the values it can code, `lo ..= hi`, and their probabilities
/// (none when the channel always holds `lo`: it then costs nothing).
pub(crate) struct ChannelTable {
    pub(crate) lo: i32,
    pub(crate) hi: i32,
    model: Option<DefaultContiguousCategoricalEntropyModel>,
}

impl ChannelTable {
    /// The table for probabilities of the integers −R … R (R = `SYMBOL_RANGE`), summing to 1.
    pub(crate) fn new(probabilities: &[f64]) -> Result<ChannelTable> {
        let cumulative = |p: &mut dyn Iterator<Item = &f64>| {
            p.scan(0.0, |sum, q| {
                *sum += q;
                Some(*sum)
            })
            .position(|sum| sum > TAIL)
            .unwrap_or(0)
        };
        let first = cumulative(&mut probabilities.iter());
        let last = probabilities.len() - 1 - cumulative(&mut probabilities.iter().rev());
        let (lo, hi) = (first as i32 - SYMBOL_RANGE as i32, last.max(first) as i32 - SYMBOL_RANGE as i32);
        if first >= last {
            return Ok(ChannelTable { lo, hi, model: None });
        }
        let mut kept = probabilities[first..=last].to_vec();
        kept[0] += probabilities[..first].iter().sum::<f64>();
        let end = kept.len() - 1;
        kept[end] += probabilities[last + 1..].iter().sum::<f64>();
        let total: f64 = kept.iter().sum();
        let budget = ((1u32 << PRECISION) - kept.len() as u32) as f64;
        let mut fixed: Vec<u32> = kept.iter().map(|p| 1 + (p / total * budget).floor() as u32).collect();
        let spare = (1u32 << PRECISION) - fixed.iter().sum::<u32>();
        let most = (0..fixed.len()).max_by_key(|&i| fixed[i]).unwrap_or(0);
        fixed[most] += spare;
        let model = DefaultContiguousCategoricalEntropyModel::from_nonzero_fixed_point_probabilities(&fixed, false)
            .map_err(|()| Error::input("codec", "an entropy table did not sum to 2^24 (a bug in aekit)"))?;
        Ok(ChannelTable { lo, hi, model: Some(model) })
    }
}

/// Range-codes `symbols` (channel-major, `positions` per channel, each within its table) into
/// bytes: the coder's 32-bit words, big-endian, trailing zero bytes dropped (the decoder reads
/// missing bytes as zeros).
pub(crate) fn encode(tables: &[ChannelTable], positions: usize, symbols: &[i32]) -> Result<Vec<u8>> {
    let mut coder = DefaultRangeEncoder::new();
    for (table, channel) in tables.iter().zip(symbols.chunks(positions)) {
        if let Some(model) = &table.model {
            for &s in channel {
                coder
                    .encode_symbol((s - table.lo) as usize, model)
                    .map_err(|e| Error::input("Codec::encode", format!("a symbol could not be coded: {e}")))?;
            }
        }
    }
    let words = coder.into_compressed().map_err(|e| Error::input("Codec::encode", format!("{e:?}")))?;
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(bytes)
}

/// The symbols [`encode`] coded into `bytes`; an error if the bytes hold more than those.
pub(crate) fn decode(tables: &[ChannelTable], positions: usize, bytes: &[u8]) -> Result<Vec<i32>> {
    let corrupt = |why: String| Error::input("Codec::decode", format!("corrupt stream: {why}"));
    let words: Vec<u32> = bytes
        .chunks(4)
        .map(|c| {
            let mut word = [0u8; 4];
            word[..c.len()].copy_from_slice(c);
            u32::from_be_bytes(word)
        })
        .collect();
    let mut coder = DefaultRangeDecoder::from_compressed(words).map_err(|e| corrupt(format!("{e:?}")))?;
    let mut symbols = Vec::with_capacity(tables.len() * positions);
    for table in tables {
        match &table.model {
            Some(model) => {
                for _ in 0..positions {
                    let s = coder.decode_symbol(model).map_err(|e| corrupt(format!("{e:?}")))?;
                    symbols.push(s as i32 + table.lo);
                }
            }
            None => symbols.extend(std::iter::repeat_n(table.lo, positions)),
        }
    }
    if !coder.maybe_exhausted() {
        return Err(corrupt("bytes are left after the last symbol".into()));
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Probabilities over −R … R with `mass` on the values `0, 1, …`.
    fn around_zero(mass: &[f64]) -> Vec<f64> {
        let mut p = vec![0.0; 2 * SYMBOL_RANGE as usize + 1];
        p[SYMBOL_RANGE as usize..SYMBOL_RANGE as usize + mass.len()].copy_from_slice(mass);
        p
    }

    #[test]
    fn symbols_round_trip_and_cost_their_entropy() {
        let tables = [
            ChannelTable::new(&around_zero(&[0.5, 0.5])).unwrap(),
            ChannelTable::new(&around_zero(&[1.0])).unwrap(),
            ChannelTable::new(&around_zero(&[0.25, 0.25, 0.25, 0.25])).unwrap(),
        ];
        assert_eq!((tables[0].lo, tables[0].hi, tables[1].lo, tables[1].hi, tables[2].hi), (0, 1, 0, 0, 3));
        let positions = 400;
        let symbols: Vec<i32> = (0..positions)
            .map(|i| (i * 7 % 2) as i32)
            .chain(std::iter::repeat_n(0, positions))
            .chain((0..positions).map(|i| (i * 13 % 4) as i32))
            .collect();
        let bytes = encode(&tables, positions, &symbols).unwrap();
        // 1 bit + 0 bits + 2 bits per position, plus at most two words of flush.
        let ideal = positions * 3 / 8;
        assert!(bytes.len() >= ideal && bytes.len() <= ideal + 8, "{} bytes for {ideal}", bytes.len());
        assert_eq!(decode(&tables, positions, &bytes).unwrap(), symbols);
    }

    #[test]
    fn a_channel_that_always_holds_one_value_costs_nothing() {
        let tables = [ChannelTable::new(&around_zero(&[1.0])).unwrap()];
        assert!(encode(&tables, 49, &[0; 49]).unwrap().is_empty());
        assert_eq!(decode(&tables, 49, &[]).unwrap(), vec![0; 49]);
    }

    #[test]
    fn tails_below_a_billionth_are_dropped_and_their_mass_kept_at_the_ends() {
        let mut p = around_zero(&[0.4, 0.6]);
        p[0] = 1e-12; // −R: clamped to 0
        let table = ChannelTable::new(&p).unwrap();
        assert_eq!((table.lo, table.hi), (0, 1));
        let mut wide = around_zero(&[0.4, 0.6]);
        wide[0] = 1e-6;
        assert_eq!(ChannelTable::new(&wide).unwrap().lo, -(SYMBOL_RANGE as i32));
    }

    #[test]
    fn arbitrary_payloads_decode_or_fail_without_panics() {
        let tables = [
            ChannelTable::new(&around_zero(&[0.9, 0.05, 0.05])).unwrap(),
            ChannelTable::new(&around_zero(&[0.25, 0.25, 0.25, 0.25])).unwrap(),
        ];
        let mut state = 0x5eed_u64;
        for length in 0..2000 {
            let bytes: Vec<u8> = (0..length % 97)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect();
            if let Ok(symbols) = decode(&tables, 49, &bytes) {
                assert_eq!(symbols.len(), 98);
                assert!(symbols.iter().all(|s| (0..4).contains(s)));
            }
        }
    }
}
