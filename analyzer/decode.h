/*
 * decode.h - packet decoder: one captured frame in, one tc_segment out.
 *
 * The decoder reads untrusted bytes only through the checked cursor of
 * bytes.h. It never allocates and keeps no state between calls: the caller
 * owns the frame and the output segment.
 */
#ifndef DEC_DECODE_H
#define DEC_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../tcpcore/tcpcore.h"

/* Outcome of decoding one frame. Every value but DEC_TCP means "no segment".
 * The names after the first few are per-reason counters of `tcpscope read`. */
#define DEC_RESULTS(X)                                                        \
	X(TCP, "tcp")                                                         \
	X(NOT_IP, "non-ip")                                                   \
	X(NOT_TCP, "non-tcp")                                                 \
	X(FRAGMENT, "ip-fragment")                                            \
	X(UNSUPPORTED_LINK, "unsupported-link-type")                          \
	X(TRUNC_LINK, "truncated-link-header")                                \
	X(TRUNC_VLAN, "truncated-vlan-tag")                                   \
	X(TRUNC_MPLS, "truncated-mpls")                                       \
	X(TRUNC_IP, "truncated-ip-header")                                    \
	X(TRUNC_IP6_EXT, "truncated-ipv6-extension")                          \
	X(TRUNC_TCP, "truncated-tcp-header")                                  \
	X(BAD_IP_VERSION, "bad-ip-version")                                   \
	X(BAD_IP_HLEN, "bad-ip-header-length")                                \
	X(BAD_IP_LEN, "bad-ip-total-length")                                  \
	X(BAD_IP6_EXT, "bad-ipv6-extension")                                  \
	X(BAD_TCP_HLEN, "bad-tcp-header-length")                              \
	X(BAD_NFLOG, "bad-nflog")                                             \
	X(TOO_MANY_TAGS, "too-many-encapsulations")

enum dec_result {
#define DEC_X(id, name) DEC_##id,
	DEC_RESULTS(DEC_X)
#undef DEC_X
	DEC__COUNT
};

/* Name of a result ("truncated-tcp-header"); "?" when out of range. */
const char *dec_result_name(unsigned r);

/* 1 when the result is a malformed/truncated header (counted as such). */
int dec_result_is_error(unsigned r);

/* Returns 1 if libpcap link type `dlt` is one the decoder handles. */
int dec_link_supported(int dlt);

/* Decodes one frame of link type `dlt`. `caplen` bytes are at `frame`;
 * `wirelen` is the original length. On DEC_TCP, *seg is filled except
 * ts_ns, pkt, capture and iface, which the caller sets. On any other result
 * *seg is unspecified. Never reads outside [frame, frame + caplen). */
enum dec_result dec_frame(int dlt, const uint8_t *frame, size_t caplen,
			  size_t wirelen, struct tc_segment *seg);

/* Parses a TCP option list (the bytes after the 20-byte header). Sets
 * TC_OPT_MALFORMED and stops when a length byte is bad; never fails. */
void dec_tcp_options(const uint8_t *p, size_t len, struct tc_options *opt);

#endif /* DEC_DECODE_H */
