/*
 * fuzz_decode.h - the input format of the decoder fuzz harness, shared by
 * the harness (fuzz_decode.c) and the seed-corpus writer (test_decode.c).
 *
 * An input is one selector byte, then the frame. The selector's low bits
 * index fuzz_dlts[] (the link type); bit 7 says the frame was cut by a
 * snap length: the original length is then caplen + FUZZ_SNAP_EXTRA.
 */
#ifndef FUZZ_DECODE_H
#define FUZZ_DECODE_H

/* Every supported link type, and one unsupported (9999). */
static const int fuzz_dlts[] = { 1, 113, 276, 239, 12, 14, 101, 228, 229,
				 0, 108, 9999 };
#define FUZZ_NDLTS (sizeof fuzz_dlts / sizeof fuzz_dlts[0])
#define FUZZ_SNAPPED 0x80u
#define FUZZ_SNAP_EXTRA 1000u

#endif /* FUZZ_DECODE_H */
