/*
 * defrag.h - IPv4 and IPv6 reassembly before TCP (prefix dfg_).
 *
 * The decoder describes a fragment (struct dec_frag, decode.h); dfg_add()
 * keeps it, and when a datagram is whole hands it back as one IP datagram
 * (header first, fragmentation gone: IPv4 offset and MF cleared and the
 * total length set; IPv6 fragment header removed, payload length set),
 * to be decoded like any raw IP packet. Only TCP datagrams are
 * reassembled; other fragments are left alone (counted by the caller).
 *
 * Bounded in memory and time, whatever the capture holds:
 *   - a fixed table of DFG_SLOTS datagrams in reassembly, each with at
 *     most DFG_MAX_FRAGS fragments, its buffer (64 KiB + headers)
 *     allocated on first use and kept, so at most about 4 MiB; a new
 *     datagram when the table is full evicts the oldest one (counted);
 *   - a datagram not complete DFG_TIMEOUT_S seconds of capture time after
 *     its first fragment is dropped (counted), as the kernels' ipfrag_time
 *     (30 s for IPv4 and IPv6 here);
 *   - a datagram longer than an IP length can say (65535) is dropped.
 * A fragment flood therefore costs a bounded table scan per fragment and
 * nothing for packets that are not fragments (the caller only calls here
 * for fragments).
 *
 * The identity of a datagram: family, source and destination addresses,
 * identification, protocol, the VLAN ids and the tunnel (kind and id).
 *
 * Overlaps: as Linux since 4.19 (and RFC 5722 for IPv6): a fragment that
 * repeats one already held exactly (same offset and length) is ignored
 * (the first copy's bytes are kept); any other overlap drops the whole
 * datagram (counted), since the end hosts would not agree on its bytes.
 *
 * Snapped fragments (captured shorter than on the wire): the datagram is
 * reassembled with its lengths from the IP headers and handed back with
 * as many bytes as were captured contiguously from its start, like a
 * snapped packet.
 */
#ifndef DFG_DEFRAG_H
#define DFG_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define DFG_SLOTS 64
#define DFG_MAX_FRAGS 64
#define DFG_TIMEOUT_S 30

/* What reassembly did, for the capture's statistics. */
struct dfg_stats {
	uint64_t fragments;   /* fragments taken (TCP, headers whole) */
	uint64_t reassembled; /* datagrams made whole and handed back */
	uint64_t duplicates;  /* fragments repeating one held: ignored */
	uint64_t timed_out;   /* datagrams dropped incomplete by age, or at
			       * the end of the capture */
	uint64_t evicted;     /* datagrams dropped incomplete for room */
	uint64_t overlaps;    /* datagrams dropped for overlapping data */
	uint64_t dropped;     /* datagrams dropped as impossible: longer
			       * than 65535, more than DFG_MAX_FRAGS
			       * fragments, inconsistent ends */
};

struct dfg;

/* A new, empty reassembler; NULL when memory runs out. */
struct dfg *dfg_new(void);

/* Ends reassembly: datagrams still incomplete count as timed out. */
void dfg_finish(struct dfg *d);

void dfg_free(struct dfg *d);

/* Takes one fragment (f->family != 0) seen at ts_ns. Returns 1 when it
 * completed a datagram: *dg, *caplen (bytes at *dg, captured) and
 * *wirelen (its length on the wire) describe it, valid until the next
 * call; 0 when the fragment was kept, ignored or dropped; -1 when it is
 * no TCP fragment (left to the caller). Never fails otherwise. */
int dfg_add(struct dfg *d, const struct dec_frag *f, int64_t ts_ns,
	    const uint8_t **dg, size_t *caplen, size_t *wirelen);

void dfg_get_stats(const struct dfg *d, struct dfg_stats *st);

#endif /* DFG_DEFRAG_H */
