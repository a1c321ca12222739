/*
 * fuzz_decode.c - libFuzzer entry point for the packet decoder.
 *
 * The first byte picks the link type and whether the frame was snapped
 * (fuzz_decode.h); the rest is the frame. Besides "no crash, no
 * out-of-bounds read" (ASan's job), the harness checks the decoder's
 * promises and aborts when one breaks:
 *   - the result is a known one and names itself;
 *   - on DEC_TCP: payload_caplen <= payload_len, the captured payload fits
 *     in the frame, the checksum was only judged on a whole segment, and
 *     the hash is 0 exactly when nothing was captured;
 *   - dec_link_supported() agrees with dec_frame();
 *   - on DEC_FRAGMENT described (dec_frame_frag()): header and captured
 *     data lie within the frame, caplen <= len, and the reassembler
 *     (defrag.c, one per run, so fragments of several inputs meet) takes
 *     it; a datagram it completes decodes without breaking these rules
 *     either.
 *
 * Build with libFuzzer: `make fuzz`. Without it, onefile.c supplies a
 * main() that replays files, which is how `make check` runs the corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/capture/decode.h"
#include "../../analyzer/capture/defrag.h"
#include "fuzz_decode.h"
#include "fuzz.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int dlt = fuzz_dlts[(data[0] & 0x7fu) % FUZZ_NDLTS];
	size_t caplen = size - 1;
	size_t wirelen = caplen + (data[0] & FUZZ_SNAPPED ? FUZZ_SNAP_EXTRA : 0);

	/* Copy to a buffer of exactly caplen bytes so that ASan sees any read
	 * past the captured bytes. */
	uint8_t *frame = malloc(caplen ? caplen : 1);
	if (!frame)
		return 0;
	if (caplen)
		memcpy(frame, data + 1, caplen);

	struct tc_segment seg;
	memset(&seg, 0xa5, sizeof seg);
	seg.pkt = 7;
	struct dec_frag fr;
	enum dec_result r = dec_frame_frag(dlt, frame, caplen, wirelen, &seg,
					   &fr);
	if (r != DEC_FRAGMENT && fr.family != 0)
		abort();
	if (r == DEC_FRAGMENT && fr.family != 0) {
		const uint8_t *end = frame + caplen;
		if (fr.hdr < frame || fr.hdr + fr.hdr_len > end ||
		    fr.data < frame || fr.data + fr.caplen > end ||
		    fr.caplen > fr.len ||
		    (fr.family == 6 && fr.nh_off >= fr.hdr_len))
			abort();
		static struct dfg *g;
		static int64_t ts;
		if (!g && !(g = dfg_new()))
			abort();
		const uint8_t *dg;
		size_t dcap, dwire;
		if (dfg_add(g, &fr, ts += 1000000, &dg, &dcap, &dwire) == 1) {
			struct tc_segment s2;
			memset(&s2, 0, sizeof s2);
			enum dec_result r2 = dec_frame(12, dg, dcap, dwire, &s2);
			if (dcap > dwire || r2 == DEC_FRAGMENT ||
			    (r2 == DEC_TCP &&
			     s2.payload_caplen > s2.payload_len))
				abort();
		}
	}

	if ((unsigned)r >= DEC__COUNT || dec_result_name(r)[0] == '?')
		abort();
	if (r == DEC_UNSUPPORTED_LINK ? dec_link_supported(dlt)
				      : !dec_link_supported(dlt))
		abort();
	if (r == DEC_TCP) {
		if (seg.pkt != 7)
			abort();
		if (seg.payload_caplen > seg.payload_len ||
		    seg.payload_caplen > caplen)
			abort();
		if (seg.csum != TC_CSUM_UNCHECKED &&
		    seg.payload_caplen != seg.payload_len)
			abort();
		if (seg.payload_caplen == 0 && seg.payload_hash != 0)
			abort();
		if (seg.src.family != seg.dst.family ||
		    (seg.src.family != 4 && seg.src.family != 6))
			abort();
		if (seg.opt.nsack > TC_MAX_SACK)
			abort();
	}
	free(frame);
	return 0;
}
