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

#include "../../tcpcore/tcpcore.h"

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
	X(TOO_MANY_TAGS, "too-many-encapsulations")                           \
	X(TRUNC_TUNNEL, "truncated-tunnel-header")

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

/* Returns 1 if libpcap link type `dlt` is one the decoder handles:
 * DLT_NULL (0), DLT_EN10MB (1), DLT_RAW (12, and 14 as on OpenBSD),
 * LINKTYPE_RAW (101, as stored in files), DLT_LOOP (108), DLT_LINUX_SLL
 * (113), DLT_IPV4 (228), DLT_IPV6 (229), DLT_NFLOG (239), DLT_LINUX_SLL2
 * (276). Agrees with dec_frame(): that returns DEC_UNSUPPORTED_LINK exactly
 * for the others. */
int dec_link_supported(int dlt);

/* Decodes one frame of link type `dlt`. `caplen` bytes are at `frame`;
 * `wirelen` is the original length (caplen < wirelen is normal: what was
 * captured is decoded). On DEC_TCP, *seg is filled except ts_ns, pkt,
 * capture and iface, which the caller sets and which are left as they
 * were; every other field is written (0 where absent). On any other result
 * *seg is unspecified. Never reads outside [frame, frame + caplen), never
 * allocates, cannot fail otherwise.
 *
 * Filled on DEC_TCP: vlan[] (outer, inner 802.1Q/802.1ad ids; 0 = none),
 * addresses, ports, seq, ack, flags (incl. ECE, CWR, AE), raw window,
 * urgent, options, ip_id (0 for IPv6), ttl or hop limit, ip_len and
 * payload_len (on the wire, from the IP lengths; from wirelen when the IP
 * length is 0, as in TSO / big TCP captures and IPv6 jumbograms),
 * payload_caplen (captured part, <= payload_len), payload_hash (FNV-1a 32
 * of the captured payload; 0 when none), csum (TC_CSUM_OK / BAD when the
 * whole segment was captured and a pseudo-header applies, else
 * TC_CSUM_UNCHECKED). IPv4 fragments and IPv6 non-atomic fragments give
 * DEC_FRAGMENT. Tunnels (GRE incl. ERSPAN II/III, VXLAN, GENEVE, IP-in-IP,
 * IPv6-in-IPv4) and 802.3 LLC/SNAP are decoded through to the innermost
 * IP packet, each layer counted against the encapsulation limit. */
enum dec_result dec_frame(int dlt, const uint8_t *frame, size_t caplen,
			  size_t wirelen, struct tc_segment *seg);

/* What the decoder learnt about an IP fragment (dec_frame_frag()), for
 * reassembly (defrag.h). Pointers are into the frame. */
struct dec_frag {
	uint8_t family;       /* 4 or 6 */
	uint8_t proto;        /* upper protocol: IPv4's protocol field, the
			       * IPv6 fragment header's next header */
	uint8_t more;         /* more fragments follow (MF / M flag) */
	uint32_t id;          /* identification (IPv4: 16 bits) */
	uint32_t offset;      /* of this fragment's data in the datagram,
			       * bytes */
	uint32_t len;         /* of its data, on the wire (IP lengths) */
	uint32_t caplen;      /* of its data, captured (<= len) */
	const uint8_t *data;  /* its data */
	const uint8_t *hdr;   /* the IP header; IPv6: with the extension
			       * headers before the fragment header (the
			       * unfragmentable part) */
	uint16_t hdr_len;     /* bytes at hdr, all captured */
	uint16_t nh_off;      /* IPv6: offset in hdr of the next-header
			       * byte that names the fragment header */
	uint16_t vlan[2];     /* as seg->vlan */
	uint8_t tunnel;       /* as seg->tunnel and tunnel_id */
	uint32_t tunnel_id;
	struct tc_addr src, dst;
};

/* dec_frame(), and when the frame is an IP fragment (DEC_FRAGMENT) whose
 * headers are whole, fills *frag (when not NULL) and sets frag->family
 * (0 otherwise: a fragment too damaged to be reassembled). The cost for a
 * frame that is no fragment is that of dec_frame(). */
enum dec_result dec_frame_frag(int dlt, const uint8_t *frame, size_t caplen,
			       size_t wirelen, struct tc_segment *seg,
			       struct dec_frag *frag);

/* Parses a TCP option list (the bytes after the 20-byte header) into *opt,
 * which it clears first. A length byte below 2 or past the end sets
 * TC_OPT_MALFORMED and stops the parse; a known kind with a length it
 * cannot have (an MSS of 3 bytes) is skipped and also sets
 * TC_OPT_MALFORMED. Unknown kinds set TC_OPT_UNKNOWN. EOL ends the list.
 * Never reads past p + len; never fails. */
void dec_tcp_options(const uint8_t *p, size_t len, struct tc_options *opt);

/* The options as text, in the form of the segments view's options column:
 * "mss=1460,ws=7,sackok,ts=123/0,sack=1-2 3-4" (also tfo=N, mptcp, md5,
 * ao, unknown, malformed); "" for none; cut to fit len. */
void dec_options_text(const struct tc_options *o, char *buf, size_t len);

/* The flags as the segments view's flags column writes them: the letters
 * of the bits set, in the order S F R P A U E C N (N for AE). */
void dec_flags_text(unsigned flags, char buf[12]);

#endif /* DEC_DECODE_H */
