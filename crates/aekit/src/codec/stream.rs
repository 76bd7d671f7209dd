//! A stream's framing: one byte naming the codec's level (the model that wrote it), the
//! range-coded payload, and a CRC-8 of both, so that a corrupt or truncated stream is an error
//! rather than a wrong image (a random corruption slips through with probability 1/256).

use crate::{Error, Result};

/// `level`, `payload`, then the check byte.
pub(crate) fn frame(level: u8, payload: &[u8]) -> Vec<u8> {
    let mut stream = Vec::with_capacity(payload.len() + 2);
    stream.push(level);
    stream.extend_from_slice(payload);
    stream.push(crc8(&stream));
    stream
}

/// The level and payload of a stream [`frame`] wrote.
pub(crate) fn unframe(stream: &[u8]) -> Result<(u8, &[u8])> {
    let Some((&check, framed)) = stream.split_last().filter(|(_, rest)| !rest.is_empty()) else {
        return Err(Error::input(
            "Codec::decode",
            format!(
                "a stream of {} byte(s) is truncated: every stream has a level byte and a check byte",
                stream.len()
            ),
        ));
    };
    if crc8(framed) != check {
        return Err(Error::input(
            "Codec::decode",
            format!("corrupt or truncated stream ({} bytes): its check byte does not match", stream.len()),
        ));
    }
    Ok((framed[0], &framed[1..]))
}

/// CRC-8 with polynomial x⁸ + x² + x + 1 (0x07), as in ATM headers and SMBus.
fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |mut crc, &b| {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 { (crc << 1) ^ 0x07 } else { crc << 1 };
        }
        crc
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_matches_the_standard_check_value() {
        // CRC-8/SMBUS of "123456789" is 0xF4 (the catalogue's check value).
        assert_eq!(crc8(b"123456789"), 0xF4);
    }

    #[test]
    fn frames_round_trip_and_every_single_bit_flip_is_caught() {
        let stream = frame(3, &[1, 2, 250, 0, 7]);
        assert_eq!(unframe(&stream).unwrap(), (3, &[1u8, 2, 250, 0, 7][..]));
        for bit in 0..stream.len() * 8 {
            let mut bad = stream.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(unframe(&bad).is_err(), "flip of bit {bit} passed");
        }
        assert!(unframe(&[]).is_err() && unframe(&[3]).is_err());
    }
}
