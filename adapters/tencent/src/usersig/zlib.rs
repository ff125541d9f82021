//! A minimal zlib (RFC 1950) encoder for the small JSON documents inside a
//! UserSig.
//!
//! Why not `flate2`'s compressor: its pure-Rust backend (miniz_oxide)
//! allocates and zeroes more than 100 KiB of match-finder state for every
//! stream (and again on `reset`), which costs 9–17 µs per UserSig on a
//! ~180-byte document, ten times the whole budget of
//! [`super::UserSigKey::gen`]. Even a hash-chain matcher written for tiny
//! inputs spends most of its time hashing every byte.
//!
//! But the caller built the document and knows where it repeats itself: the
//! key prefixes `","TLS.` / `,"TLS.` and the runs of zeros in the numbers.
//! So [`compress`] takes *hints* — "the bytes at `at` may repeat those `dist`
//! bytes earlier" — verifies each one against the data, extends it greedily,
//! and writes everything else as literals. The output is one final DEFLATE
//! block with the *fixed* Huffman code (RFC 1951 §3.2.6, `BTYPE=01`), which is
//! exactly what zlib itself emits for inputs this small (the Python and Node
//! vectors of the vendor notes start with such a block), so any inflater
//! accepts it; the size is within a few bytes of zlib level 1.
//!
//! A wrong hint can only cost compression, never correctness: every match is
//! checked byte by byte before it is written. Decoding uses `flate2` (see
//! [`super::decode`]); the unit tests inflate this encoder's output with
//! `flate2` over many random inputs and hints.

/// Largest back-reference distance allowed by DEFLATE.
const WINDOW: usize = 32 * 1024;
/// Shortest match DEFLATE can express.
const MIN_MATCH: usize = 3;
/// Longest match DEFLATE can express.
const MAX_MATCH: usize = 258;

/// A place where the input may repeat earlier bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Hint {
    /// Position in the input where the repeat starts.
    pub at: usize,
    /// How far back the earlier copy starts (1..=32768).
    pub dist: usize,
}

/// Bit-reverses the low `len` bits of `code` (Huffman codes are stored
/// most-significant bit first inside the LSB-first DEFLATE bit stream).
const fn reverse_bits(code: u32, len: u32) -> u32 {
    let mut out = 0;
    let mut i = 0;
    while i < len {
        out = (out << 1) | ((code >> i) & 1);
        i += 1;
    }
    out
}

/// Fixed literal/length code (RFC 1951 §3.2.6), already bit-reversed:
/// `(code, bit length)` for symbols 0..=287.
const LITLEN: [(u16, u8); 288] = {
    let mut table = [(0u16, 0u8); 288];
    let mut sym = 0u32;
    while sym < 288 {
        let (code, len) = if sym < 144 {
            (0x30 + sym, 8)
        } else if sym < 256 {
            (0x190 + sym - 144, 9)
        } else if sym < 280 {
            (sym - 256, 7)
        } else {
            (0xC0 + sym - 280, 8)
        };
        table[sym as usize] = (reverse_bits(code, len) as u16, len as u8);
        sym += 1;
    }
    table
};

/// Fixed distance codes: 5-bit codes equal to the symbol, bit-reversed.
const DIST: [u8; 30] = {
    let mut table = [0u8; 30];
    let mut sym = 0u32;
    while sym < 30 {
        table[sym as usize] = reverse_bits(sym, 5) as u8;
        sym += 1;
    }
    table
};

/// LSB-first bit sink over a pre-sized byte buffer.
///
/// Symbols are OR-ed into a 64-bit accumulator; [`BitWriter::flush`] stores
/// all eight accumulator bytes unconditionally and advances by the number of
/// complete bytes, so the buffer keeps 8 bytes of slack at its end.
struct BitWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
    acc: u64,
    bits: u32,
}

impl BitWriter<'_> {
    /// Appends the low `count` bits of `value`. The accumulator holds 64
    /// bits and keeps at most 7 after a flush, so callers flush after every
    /// symbol.
    #[inline(always)]
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.bits;
        self.bits += count;
    }

    /// Appends the low `count` (≤ 56) bits of `value`; only the bits of
    /// the last partial byte may be pending (i.e. call right after a flush).
    #[inline(always)]
    fn put_wide(&mut self, value: u64, count: u32) {
        self.acc |= value << self.bits;
        self.bits += count;
    }

    /// Moves the complete bytes of the accumulator to the buffer.
    #[inline(always)]
    fn flush(&mut self) {
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + 8) {
            dst.copy_from_slice(&self.acc.to_le_bytes());
        }
        let bytes = self.bits >> 3;
        self.pos += bytes as usize;
        // `bytes` ≤ 7, so the shift is < 64.
        self.acc >>= bytes * 8;
        self.bits &= 7;
    }

    /// Pads to a byte boundary with zero bits; returns the length written.
    fn finish(mut self) -> usize {
        self.bits = (self.bits + 7) & !7;
        self.flush();
        self.pos
    }

    #[inline(always)]
    fn literal(&mut self, byte: u8) {
        let (code, len) = LITLEN[byte as usize];
        self.put(u32::from(code), u32::from(len));
        self.flush();
    }

    /// Emits `run` as literals. Bytes below 144 have 8-bit codes, so up to
    /// seven of them go into the accumulator at once.
    #[inline(always)]
    fn literals(&mut self, run: &[u8]) {
        for group in run.chunks(7) {
            if group.iter().all(|&byte| byte < 144) {
                let mut codes = 0u64;
                for (k, &byte) in group.iter().enumerate() {
                    codes |= u64::from(LITLEN[byte as usize].0) << (8 * k);
                }
                self.put_wide(codes, 8 * group.len() as u32);
                self.flush();
            } else {
                for &byte in group {
                    self.literal(byte);
                }
            }
        }
    }

    /// Emits a `len` (3..=258) / `dist` (1..=32768) back-reference.
    #[inline(always)]
    fn back_reference(&mut self, len: usize, dist: usize) {
        let (sym, extra_bits, extra) = length_symbol(len as u32);
        let (code, code_len) = LITLEN[sym as usize];
        self.put(u32::from(code), u32::from(code_len));
        self.put(extra, extra_bits);
        let (sym, extra_bits, extra) = distance_symbol(dist as u32);
        self.put(u32::from(DIST[sym as usize]), 5);
        self.put(extra, extra_bits);
        // ≤ 7 + 9 + 5 + 5 + 13 = 39 bits were pending.
        self.flush();
    }
}

/// Length 3..=258 → (symbol 257..=285, extra bit count, extra bits value).
#[inline(always)]
fn length_symbol(len: u32) -> (u32, u32, u32) {
    if len == 258 {
        return (285, 0, 0);
    }
    let x = len - 3;
    if x < 8 {
        return (257 + x, 0, 0);
    }
    let log = 31 - x.leading_zeros(); // 3..=7
    let extra_bits = log - 2;
    let low = (x >> extra_bits) & 3;
    let base = (4 + low) << extra_bits;
    (257 + 4 * extra_bits + 4 + low, extra_bits, x - base)
}

/// Distance 1..=32768 → (symbol 0..=29, extra bit count, extra bits value).
#[inline(always)]
fn distance_symbol(dist: u32) -> (u32, u32, u32) {
    let x = dist - 1;
    if x < 4 {
        return (x, 0, 0);
    }
    let log = 31 - x.leading_zeros(); // 2..=14
    let extra_bits = log - 1;
    let low = (x >> extra_bits) & 1;
    let base = (2 + low) << extra_bits;
    (2 * log + low, extra_bits, x - base)
}

/// Adler-32 checksum (RFC 1950 §9).
pub(super) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // 5552 is the largest n with 255·n·(n+1)/2 + (n+1)·(MOD−1) < 2^32, so
    // the sums cannot overflow before the reduction.
    let (mut a, mut b) = (1u32, 0u32);
    for block in data.chunks(5552) {
        // 16 bytes at a time: a += Σx, b += 16·a + Σ(16−i)·x_i, which the
        // compiler can vectorize (same values as the byte loop).
        let mut chunks = block.chunks_exact(16);
        for chunk in &mut chunks {
            let (mut s1, mut s2) = (0u32, 0u32);
            for (i, &byte) in chunk.iter().enumerate() {
                s1 += u32::from(byte);
                s2 += (16 - i as u32) * u32::from(byte);
            }
            b += 16 * a + s2;
            a += s1;
        }
        for &byte in chunks.remainder() {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Appends the zlib stream (header `78 01`, one final fixed-Huffman DEFLATE
/// block, Adler-32 trailer) of `input` to `out`, using the back-references
/// that `hints` (in increasing `at` order) point to where they hold.
pub(super) fn compress(input: &[u8], hints: &[Hint], out: &mut Vec<u8>) {
    // CMF 0x78: deflate, 32 KiB window. FLG 0x01: FLEVEL 0 ("fastest", as
    // zlib writes for levels 0 and 1), no dictionary, FCHECK so that
    // 0x7801 % 31 == 0.
    out.extend_from_slice(&[0x78, 0x01]);
    let start = out.len();
    // Worst case: 3 header bits, every byte a 9-bit literal (a match is never
    // longer than the literals it replaces), 7-bit EOB, then padding; plus
    // the 8 bytes of slack `BitWriter::flush` needs.
    out.resize(start + (10 + 9 * input.len()) / 8 + 1 + 8, 0);
    let written = encode_block(input, hints, &mut out[start..]);
    out.truncate(start + written);
    out.extend_from_slice(&adler32(input).to_be_bytes());
}

/// Writes one final fixed-Huffman DEFLATE block of `input` to `buf`; returns
/// its length in bytes.
fn encode_block(input: &[u8], hints: &[Hint], buf: &mut [u8]) -> usize {
    let mut w = BitWriter { buf, pos: 0, acc: 0, bits: 0 };
    // BFINAL = 1, BTYPE = 01 (fixed Huffman).
    w.put(0b011, 3);

    let n = input.len();
    // Start of the literals not yet written.
    let mut pending = 0usize;
    for &Hint { at, dist } in hints {
        if at < pending || at >= n || dist == 0 || dist > at || dist > WINDOW {
            continue;
        }
        let from = at - dist;
        let max = MAX_MATCH.min(n - at);
        let mut len = 0;
        while len < max && input[from + len] == input[at + len] {
            len += 1;
        }
        if len < MIN_MATCH {
            continue;
        }
        w.literals(&input[pending..at]);
        w.back_reference(len, dist);
        pending = at + len;
    }
    w.literals(&input[pending..]);
    // End-of-block symbol 256.
    let (code, len) = LITLEN[256];
    w.put(u32::from(code), u32::from(len));
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use std::io::Read;

    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(data).read_to_end(&mut out).expect("valid zlib stream");
        out
    }

    fn roundtrip(input: &[u8], hints: &[Hint]) -> usize {
        let mut z = Vec::new();
        compress(input, hints, &mut z);
        assert_eq!(u16::from_be_bytes([z[0], z[1]]) % 31, 0, "FCHECK");
        assert_eq!(inflate(&z), input, "round trip of {} bytes", input.len());
        z.len()
    }

    /// Every useful hint: each position against each distance up to `span`.
    fn all_hints(len: usize, span: usize) -> Vec<Hint> {
        (0..len).flat_map(|at| (1..=span.min(at)).map(move |dist| Hint { at, dist })).collect()
    }

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        // Exercise the modulo reduction over several chunks.
        let big = vec![0xFFu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
    }

    #[test]
    fn symbol_tables_match_rfc1951() {
        // (length, symbol, extra bits) boundaries from RFC 1951 §3.2.5.
        for (len, sym, eb) in [
            (3, 257, 0),
            (10, 264, 0),
            (11, 265, 1),
            (12, 265, 1),
            (13, 266, 1),
            (19, 269, 2),
            (35, 273, 3),
            (67, 277, 4),
            (131, 281, 5),
            (227, 284, 5),
            (257, 284, 5),
            (258, 285, 0),
        ] {
            let (s, e, _) = length_symbol(len);
            assert_eq!((s, e), (sym, eb), "length {len}");
        }
        for (dist, sym, eb) in
            [(1, 0, 0), (4, 3, 0), (5, 4, 1), (7, 5, 1), (9, 6, 2), (193, 15, 6), (24_577, 29, 13), (32_768, 29, 13)]
        {
            let (s, e, _) = distance_symbol(dist);
            assert_eq!((s, e), (sym, eb), "distance {dist}");
        }
    }

    #[test]
    fn roundtrips_edge_cases() {
        for input in [&b""[..], b"a", b"abc", b"abcd", &[0u8; 1000], &[0xFFu8; 3000]] {
            roundtrip(input, &[]);
            roundtrip(input, &all_hints(input.len(), 4));
        }
        let all: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        roundtrip(&all, &[]);
        roundtrip(&all, &[Hint { at: 256, dist: 256 }, Hint { at: 4000, dist: 256 }]);
        // Longest matches (258), and hints that are wrong, out of range,
        // out of order or beyond the window.
        let zeros = [0u8; 2000];
        let hints = [
            Hint { at: 1, dist: 1 },
            Hint { at: 300, dist: 7 },
            Hint { at: 200, dist: 1 },
            Hint { at: 1990, dist: 0 },
            Hint { at: 1995, dist: 2000 },
            Hint { at: 5000, dist: 1 },
        ];
        roundtrip(&zeros, &hints);
        let mut far = b"0123456789abcdef".to_vec();
        far.resize(far.len() + WINDOW - 16, b'x');
        far.extend_from_slice(b"0123456789abcdef");
        let at = far.len() - 16;
        assert!(roundtrip(&far, &[Hint { at, dist: WINDOW }]) < roundtrip(&far, &[]));
        roundtrip(&far, &[Hint { at, dist: WINDOW + 1 }]);
        roundtrip(&far, &[Hint { at: at + 1, dist: usize::MAX }]);
    }

    #[test]
    fn compresses_a_usersig_document() {
        let doc = br#"{"TLS.ver":"2.0","TLS.identifier":"alice","TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":86400,"TLS.sig":"6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k="}"#;
        let plain = roundtrip(doc, &[]);
        let hinted = roundtrip(doc, &all_hints(doc.len(), 64));
        assert!(hinted < plain && plain <= doc.len() + 8, "{hinted} {plain}");
    }

    #[test]
    fn roundtrips_random_inputs_and_hints() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        for round in 0..1500 {
            let len = match round % 100 {
                0 => rng.gen_range(0..30_000),
                1..=49 => rng.gen_range(0..64),
                50..=89 => rng.gen_range(0..600),
                _ => rng.gen_range(0..4000),
            };
            // Small alphabets produce many matches, large ones few.
            let alphabet = [2u16, 4, 16, 95, 256][rng.gen_range(0..5)];
            let input: Vec<u8> = (0..len).map(|_| rng.gen_range(0..alphabet) as u8).collect();
            let mut hints: Vec<Hint> = (0..rng.gen_range(0..len / 2 + 2))
                .map(|_| Hint {
                    at: rng.gen_range(0..len + 2),
                    dist: rng.gen_range(0..=WINDOW + 1).min(rng.gen_range(1..64)),
                })
                .collect();
            if round % 3 != 0 {
                hints.sort_by_key(|h| h.at);
            }
            roundtrip(&input, &hints);
        }
    }
}
