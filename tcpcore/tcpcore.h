/*
 * tcpcore.h - the whole interface of tcpcore, the passive dual-endpoint TCP
 * tracker.
 *
 * tcpcore is a pure library: decoded segments in, events out. It does no I/O,
 * keeps no globals and never reads a clock: time arrives with each segment.
 *
 * Use:
 *
 *   struct tc_config cfg;
 *   tc_config_default(&cfg);
 *   struct tc_tracker *tr = tc_tracker_new(&cfg);   // NULL: out of memory
 *   for each decoded segment s:
 *       tc_feed(tr, &s);                            // -1: out of memory
 *       while (tc_next_event(tr, &ev)) handle(&ev);
 *   tc_finish(tr);                                  // end of input
 *   while (tc_next_event(tr, &ev)) handle(&ev);
 *   tc_tracker_free(tr);
 *
 * Ownership: the tracker owns every connection. A `const struct tc_conn *`
 * handed out in an event or by tc_conn_get() stays valid until the next call
 * of tc_feed(), tc_finish() or tc_tracker_free() on the same tracker; the
 * one of a TC_EV_CLOSE taken after tc_finish() only until the next
 * tc_next_event() (so that ending the input needs no memory for all the
 * connections at once). Nothing in a segment is kept by pointer after
 * tc_feed() returns.
 *
 * Memory: a connection idle for cfg.pack_idle_ns, or the oldest ones when
 * the tracker holds more than cfg.max_bytes, is packed losslessly into a
 * small record and unpacked when it is needed again, which changes no
 * result. When packing is not enough, connections are evicted (finished
 * early with evicted set; tc_stats.evicted), as they are beyond
 * cfg.max_conns. tcpscope-states(7) MEMORY has the figures.
 */
#ifndef TCPCORE_H
#define TCPCORE_H

#include <stddef.h>
#include <stdint.h>

/* ---- Names generated from one list each (X-macros) ---------------------- */

/* Endpoint states of RFC 9293 section 3.3.2, plus UNKNOWN for a side never
 * observed. The spelling column is the RFC's. */
#define TC_STATES(X)                                                          \
	X(UNKNOWN, "UNKNOWN")                                                 \
	X(CLOSED, "CLOSED")                                                   \
	X(LISTEN, "LISTEN")                                                   \
	X(SYN_SENT, "SYN-SENT")                                               \
	X(SYN_RECEIVED, "SYN-RECEIVED")                                       \
	X(ESTABLISHED, "ESTABLISHED")                                         \
	X(FIN_WAIT_1, "FIN-WAIT-1")                                           \
	X(FIN_WAIT_2, "FIN-WAIT-2")                                           \
	X(CLOSE_WAIT, "CLOSE-WAIT")                                           \
	X(CLOSING, "CLOSING")                                                 \
	X(LAST_ACK, "LAST-ACK")                                               \
	X(TIME_WAIT, "TIME-WAIT")

enum tc_state {
#define TC_X(id, name) TC_ST_##id,
	TC_STATES(TC_X)
#undef TC_X
	TC_ST__COUNT
};

/* Per-segment labels (inference and anomalies). The name column is the
 * stable spelling used in the database and in JSON. */
#define TC_LABELS(X)                                                          \
	X(RETRANSMISSION, "retransmission")                                   \
	X(FAST_RETRANSMISSION, "fast-retransmission")                         \
	X(SPURIOUS_RETRANSMISSION, "spurious-retransmission")                 \
	X(OUT_OF_ORDER, "out-of-order")                                       \
	X(PREV_NOT_CAPTURED, "previous-segment-not-captured")                 \
	X(ACKED_UNSEEN, "acked-unseen")                                       \
	X(DUP_ACK, "dup-ack")                                                 \
	X(ZERO_WINDOW, "zero-window")                                         \
	X(ZERO_WINDOW_PROBE, "zero-window-probe")                             \
	X(ZERO_WINDOW_PROBE_ACK, "zero-window-probe-ack")                     \
	X(WINDOW_FULL, "window-full")                                         \
	X(WINDOW_UPDATE, "window-update")                                     \
	X(KEEPALIVE, "keep-alive")                                            \
	X(KEEPALIVE_ACK, "keep-alive-ack")                                    \
	X(SYN_RETRANSMISSION, "syn-retransmission")                           \
	X(SYNACK_RETRANSMISSION, "synack-retransmission")                     \
	X(FIN_RETRANSMISSION, "fin-retransmission")                           \
	X(CAPTURE_DUPLICATE, "capture-duplicate")                             \
	X(OVERSIZED_SEGMENT, "oversized-segment")                             \
	X(BAD_CHECKSUM, "bad-checksum")                                       \
	X(RST_OUT_OF_WINDOW, "rst-out-of-window")                             \
	X(RST_CHALLENGE, "rst-in-window-not-exact")                           \
	X(DATA_AFTER_FIN, "data-after-fin")                                   \
	X(DATA_AFTER_RST, "data-after-rst")                                   \
	X(SEGMENT_AFTER_CLOSE, "segment-after-close")                         \
	X(DATA_ON_SYN, "data-on-syn")                                         \
	X(BAD_FLAGS, "bad-flags")                                             \
	X(WSCALE_TOO_BIG, "wscale-too-big")                                   \
	X(WSCALE_UNKNOWN, "wscale-unknown")                                   \
	X(SACK, "sack")                                                       \
	X(DSACK, "dsack")                                                     \
	X(TIME_WENT_BACK, "time-went-back")

enum tc_label {
#define TC_X(id, name) TC_LB_##id,
	TC_LABELS(TC_X)
#undef TC_X
	TC_LB__COUNT
};

/* ---- The decoded segment: what the decoder hands the tracker ------------ */

#define TC_FIN 0x001u
#define TC_SYN 0x002u
#define TC_RST 0x004u
#define TC_PSH 0x008u
#define TC_ACK 0x010u
#define TC_URG 0x020u
#define TC_ECE 0x040u
#define TC_CWR 0x080u
#define TC_AE 0x100u /* former NS bit */

/* Bits of tc_options.present. */
#define TC_OPT_MSS 0x0001u
#define TC_OPT_WSCALE 0x0002u
#define TC_OPT_SACK_PERM 0x0004u
#define TC_OPT_SACK 0x0008u
#define TC_OPT_TS 0x0010u
#define TC_OPT_TFO 0x0020u     /* Fast Open cookie or cookie request */
#define TC_OPT_MPTCP 0x0040u
#define TC_OPT_UNKNOWN 0x0080u /* an option kind we do not know */
#define TC_OPT_MALFORMED 0x0100u /* option list stopped early */
#define TC_OPT_MD5 0x0200u
#define TC_OPT_AO 0x0400u

#define TC_MAX_SACK 4

struct tc_options {
	uint32_t present;
	uint16_t mss;
	uint8_t wscale;       /* as sent (may exceed 14) */
	uint8_t nsack;        /* SACK blocks in sack[] */
	uint32_t sack[TC_MAX_SACK][2]; /* left edge, right edge */
	uint32_t tsval, tsecr;
	uint8_t tfo_cookie_len; /* 0 with TC_OPT_TFO: a cookie request */
};

struct tc_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];  /* IPv4 in the first 4 bytes */
};

enum tc_csum { TC_CSUM_UNCHECKED = 0, TC_CSUM_OK, TC_CSUM_BAD };

/* The tunnel a segment came through, part of a connection's identity as
 * the VLAN ids are: mirrored and overlay traffic of several tenants or
 * sessions may carry the same addresses. Only tunnels with an id count;
 * IP-in-IP and GRE without a key are TC_TUN_NONE. The innermost such
 * tunnel is the one kept. */
enum tc_tunnel {
	TC_TUN_NONE = 0,
	TC_TUN_GRE,    /* tunnel_id: the GRE key (RFC 2890) */
	TC_TUN_ERSPAN, /* tunnel_id: the ERSPAN session id */
	TC_TUN_VXLAN,  /* tunnel_id: the VNI */
	TC_TUN_GENEVE, /* tunnel_id: the VNI */
	TC_TUN__COUNT
};

/* "gre", "erspan", "vxlan", "geneve"; "" for TC_TUN_NONE and unknown. */
const char *tc_tunnel_name(unsigned tunnel);

struct tc_segment {
	int64_t ts_ns;      /* capture timestamp, ns since the epoch */
	uint64_t pkt;       /* packet number in its capture, from 1 */
	uint32_t capture;   /* which input (caller's numbering) */
	uint32_t iface;     /* pcapng interface; not part of the identity */
	uint16_t vlan[2];   /* outer, inner; 0 = none */
	uint8_t tunnel;     /* enum tc_tunnel */
	uint32_t tunnel_id; /* with tunnel; 0 with TC_TUN_NONE */
	struct tc_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags;     /* TC_FIN ... TC_AE */
	uint16_t window;    /* raw, unscaled */
	uint16_t urgent;
	struct tc_options opt;
	uint32_t payload_len;    /* on the wire, from the IP length */
	uint32_t payload_caplen; /* captured; <= payload_len */
	uint16_t ip_id;          /* IPv4 ID; 0 for IPv6 */
	uint8_t ttl;             /* TTL or hop limit */
	uint8_t csum;            /* enum tc_csum */
	uint32_t payload_hash;   /* hash of the captured payload, 0 if none */
	uint32_t ip_len;         /* IP datagram length (IPv4 total length, IPv6
				  * 40 + payload length); 0: unknown, the
				  * tracker then estimates it */
};

/* ---- Configuration ------------------------------------------------------ */

struct tc_config {
	size_t max_conns;         /* connections tracked at once; beyond,
				   * one is evicted (see max_bytes) */
	int64_t idle_timeout_ns;  /* 0: never expire idle connections */
	int64_t msl_ns;           /* TIME-WAIT lasts 2*msl */
	int ignore_vlan;          /* VLAN ids not part of the identity */
	uint32_t max_events;      /* queue bound between drains */
	/* Allocation hooks (cJSON_InitHooks style); NULL: malloc and free.
	 * tc_alloc returns NULL on failure; the tracker then stays valid. */
	void *(*tc_alloc)(void *ctx, size_t n);
	void (*tc_free)(void *ctx, void *p);
	void *alloc_ctx;
	/* Memory budget: bytes the tracker may hold (its connections, full
	 * and packed, tables and queue, with the allocator's overhead).
	 * Beyond it the oldest full connections are packed, then the least
	 * recently used connections evicted: one both of whose sides are
	 * done first, then a half-open one (no side established), then any.
	 * 0: no budget. */
	size_t max_bytes;
	/* A connection without a segment for this long (segment time) is
	 * packed even within the budget; 0: after every segment (tests);
	 * negative: only to keep the budget. */
	int64_t pack_idle_ns;
};

#define TC_DEFAULT_MAX_CONNS 1000000u
#define TC_DEFAULT_IDLE_TIMEOUT_NS 0
#define TC_DEFAULT_MSL_NS (60LL * 1000000000LL)
#define TC_DEFAULT_MAX_EVENTS 4096u
#define TC_DEFAULT_MAX_BYTES ((size_t)32 << 20)
#define TC_DEFAULT_PACK_IDLE_NS (2LL * 1000000000LL)

/* Fills cfg with the defaults above. Cannot fail. */
void tc_config_default(struct tc_config *cfg);

/* ---- Connections -------------------------------------------------------- */

enum tc_side { TC_CLIENT = 0, TC_SERVER = 1 };

#define TC_CLOSES(X)                                                          \
	X(OPEN, "open")                                                       \
	X(FIN, "fin")                                                         \
	X(RESET, "reset")                                                     \
	X(REFUSED, "refused")                                                 \
	X(UNANSWERED, "unanswered")                                           \
	X(TIMEOUT, "timeout")

enum tc_close {
#define TC_X(id, name) TC_CLOSE_##id,
	TC_CLOSES(TC_X)
#undef TC_X
	TC_CLOSE__COUNT
};

#define TC_HANDSHAKES(X)                                                      \
	X(NONE, "none")                                                       \
	X(THREEWAY, "3way")                                                   \
	X(SIMULTANEOUS, "simultaneous-open")                                  \
	X(TFO, "tfo")                                                         \
	X(REFUSED, "refused")                                                 \
	X(SYN_ONLY, "syn-only")

enum tc_handshake {
#define TC_X(id, name) TC_HS_##id,
	TC_HANDSHAKES(TC_X)
#undef TC_X
	TC_HS__COUNT
};

/* The sender's congestion state as Linux names it (tcp_ca_state,
 * tracepoint tcp:tcp_cong_state_set), inferred from the capture (cc.c,
 * tcpscope-flows(1) TRANSFER). The name column is the stable spelling. */
#define TC_CC_STATES(X)                                                       \
	X(OPEN, "Open")                                                       \
	X(DISORDER, "Disorder")                                               \
	X(CWR, "CWR")                                                         \
	X(RECOVERY, "Recovery")                                               \
	X(LOSS, "Loss")

enum tc_cc_state {
#define TC_X(id, name) TC_CC_##id,
	TC_CC_STATES(TC_X)
#undef TC_X
	TC_CC__COUNT
};

/* What held a direction's transfer (tc_transfer.limited_by). */
#define TC_LIMITS(X)                                                          \
	X(NONE, "none")                                                       \
	X(APPLICATION, "application")                                         \
	X(RECEIVER_WINDOW, "receiver_window")                                 \
	X(CONGESTION, "congestion")                                           \
	X(LOSS, "loss")

enum tc_limit {
#define TC_X(id, name) TC_LIMIT_##id,
	TC_LIMITS(TC_X)
#undef TC_X
	TC_LIMIT__COUNT
};

#define TC_CC_PATH 32 /* congestion states kept in tc_transfer.cc_path */

/* CUBIC's multiplicative decrease as Linux applies it (717/1024): the
 * slow-start threshold estimated at a loss event (cc.c, and the window
 * graph of tcpscope plot). */
#define TC_CUBIC_BETA_NUM 717
#define TC_CUBIC_BETA_DEN 1024

/* The data-transfer phase of one direction (cc.c): where its time went,
 * the sender's congestion states, and estimates of its windows and
 * retransmission timer. Times in ns. The shares partition the
 * connection's duration (last_ts - first_ts): busy + idle = duration;
 * rwnd_limited (zero_window included), cwnd_limited, recovery and
 * rto_stall are disjoint parts of busy. tcpscope-flows(1) TRANSFER
 * defines each. */
struct tc_transfer {
	int64_t busy_ns, idle_ns;
	int64_t rwnd_limited_ns, zero_window_ns;
	int64_t cwnd_limited_ns, recovery_ns, rto_stall_ns;
	int64_t app_ns;          /* the application's share the verdict
				  * weighs: busy but not held, and idle
				  * between the first byte sent and the
				  * last acknowledged */
	uint8_t limited_by;      /* enum tc_limit */
	/* Evidence of the verdict: the longest stretch of its kind, from
	 * packet evidence_pkt, evidence_ns long; 0 with none. */
	uint64_t evidence_pkt;
	int64_t evidence_ns;
	uint64_t cwnd_max;       /* estimate: the largest flight outside loss
				  * recovery */
	uint64_t ssthresh;       /* estimate after the last loss event; 0:
				  * none (still infinite) */
	uint64_t flight_max;     /* most bytes ever in flight */
	int64_t rto_ns;          /* RFC 6298 RTO at the end; -1: no sample */
	uint32_t rto_timeouts;   /* retransmission timeouts seen */
	uint32_t rto_episodes;   /* entries into Loss */
	uint32_t rto_backoff_max;/* most timeouts backed off in one episode */
	uint32_t fr_episodes;    /* fast-recovery episodes (into Recovery) */
	uint64_t fr_bytes;       /* bytes retransmitted in Recovery */
	uint32_t cc_transitions; /* congestion-state transitions */
	uint8_t cc_npath;        /* states in cc_path */
	uint8_t cc_path_cut;     /* more transitions than cc_path holds */
	uint8_t cc_path[TC_CC_PATH]; /* Open, then each state entered */
};

/* Per-direction figures. "dir 0" is client to server. */
struct tc_dir_stats {
	uint64_t packets;
	uint64_t payload_bytes;   /* distinct bytes, a retransmitted byte once */
	uint64_t wire_bytes;      /* payload bytes including retransmissions */
	uint64_t ip_bytes;        /* IP datagram lengths (Zeek's *_ip_bytes) */
	uint64_t label[TC_LB__COUNT]; /* segments carrying each label */
	uint64_t acked_unseen_bytes;  /* capture-loss estimate */
	uint16_t mss;             /* 0: none seen */
	int16_t wscale;           /* -1: unknown (no SYN seen) */
	uint8_t sack_perm, ts_perm;
	uint64_t win_min, win_max; /* scaled, bytes */
	uint64_t max_inflight;
	int64_t max_idle_ns;
	struct tc_transfer xfer;  /* the data-transfer phase (cc.c) */
};

struct tc_rtt {
	/* All in ns; -1 where unknown. */
	int64_t handshake;     /* SYN -> ACK of SYN-ACK at the capture point */
	int64_t to_server;     /* SYN -> SYN-ACK leg */
	int64_t to_client;     /* SYN-ACK -> ACK leg */
	int64_t min, max, avg;
	int64_t stddev;
	uint64_t samples;
};

struct tc_transition {
	int64_t ts_ns;
	uint64_t pkt;
	uint8_t side;      /* enum tc_side */
	uint8_t from, to;  /* enum tc_state */
	uint8_t inferred;  /* the rule infers a segment the capture missed
			    * (tc_rules[rule].inferred) */
	uint16_t rule;     /* id of the rule in tc_rules[] */
};

/* Another state path of one side, also consistent with the capture
 * (tc_conn.alt): the side's path (its first state, then each of its
 * transitions' to states) cut after its first `keep` states, then the
 * ntail states of tail. */
enum tc_alt_why {
	TC_ALT_RST_NOT_TAKEN = 1, /* the RST that closed it may not have
				   * arrived: it stayed (and what it sent
				   * after, a FIN, moved it) */
	TC_ALT_FINAL_ACK_UNSEEN,  /* the last ACK of a FIN may have gone
				   * uncaptured */
	TC_ALT_FIN_UNSEEN,        /* its peer acknowledged bytes of it the
				   * capture never showed: a FIN may have
				   * been among them */
	TC_ALT_FIN_UNANSWERED     /* a FIN captured near its receiver got
				   * no answer there: the answer (an ACK, or
				   * a RST of a receiver gone) went
				   * uncaptured */
};

struct tc_alt {
	uint16_t keep;
	uint8_t ntail;
	uint8_t tail[3];  /* enum tc_state */
	uint8_t why;      /* enum tc_alt_why */
	uint8_t pad;
};

#define TC_MAX_ALT 2 /* alternatives kept per side */

struct tc_conn {
	uint64_t id;             /* 1, 2, ... per tracker */
	uint32_t capture;        /* capture of the first segment */
	uint16_t vlan[2];
	uint8_t tunnel;          /* enum tc_tunnel, as the segments' */
	uint32_t tunnel_id;
	struct tc_addr addr[2];  /* [TC_CLIENT], [TC_SERVER] */
	uint16_t port[2];
	int64_t first_ts, last_ts;
	uint64_t first_pkt, last_pkt;
	uint8_t state[2];        /* current (final) state of each side */
	uint8_t observed[2];     /* did that side send anything */
	/* Every transition, oldest first, up to TC_TRANS_LIMIT; more are
	 * only counted in transitions_dropped. */
	const struct tc_transition *transitions;
	size_t ntransitions;
	uint8_t close;           /* enum tc_close; OPEN until finished */
	uint8_t handshake;       /* enum tc_handshake */
	uint8_t midstream;
	uint8_t data_on_syn;
	uint8_t finished;
	uint8_t evicted;
	char conn_state[8];      /* Zeek's: S0 S1 SF REJ ... OTH */
	char history[48];        /* Zeek's history string */
	struct tc_dir_stats dir[2];
	struct tc_rtt rtt;
	uint32_t transitions_dropped; /* beyond TC_TRANS_LIMIT, or when
				       * out of memory */
	/* Other paths of each side also consistent with the capture, most
	 * likely first (tcpscope-states(7) ALTERNATIVES); set when the
	 * connection is finished, none when its path is certain. */
	uint8_t nalt[2];
	struct tc_alt alt[2][TC_MAX_ALT];
};

#define TC_TRANS_LIMIT 4096u /* transitions kept per connection */

/* ---- Events ------------------------------------------------------------- */

enum tc_event_type {
	TC_EV_SEGMENT,    /* the fed segment was assigned to conn, dir */
	TC_EV_OPEN,       /* a new connection began */
	TC_EV_TRANSITION, /* one side changed state */
	TC_EV_LABEL,      /* a segment label (inference or anomaly) */
	TC_EV_CLOSE,      /* a connection is finished; conn is final */
	TC_EV_CC          /* a sender's congestion state changed: dir is
			   * the direction (its sender), tr the transition
			   * (from, to: enum tc_cc_state; rule: id in
			   * tc_cc_rules[]), count what it retransmitted in
			   * the state it leaves (Recovery, Loss) */
};

struct tc_event {
	uint8_t type;         /* enum tc_event_type */
	uint64_t conn_id;
	const struct tc_conn *conn; /* valid until the next feed/finish */
	int64_t ts_ns;
	uint64_t pkt;
	uint8_t dir;          /* 0 client->server, 1 server->client;
			       * TC_EV_TRANSITION: the side that changed */
	struct tc_transition tr;   /* TC_EV_TRANSITION; with revised, a
				    * transition reported before is
				    * withdrawn: later evidence shows it
				    * did not happen, the side is back in
				    * tr.from (tcpscope-states(7) Resets) */
	uint16_t label;       /* TC_EV_LABEL: enum tc_label */
	uint16_t reason;      /* TC_EV_LABEL: index into tc_reason_name() */
	uint8_t revised;      /* TC_EV_TRANSITION: withdrawn (above).
			       * TC_EV_LABEL: later evidence revises the label
			       * old_label of the earlier packet pkt (ts_ns is
			       * that packet's) to label; label == old_label:
			       * withdrawn. tc_dir_stats counts are adjusted
			       * as tcpscope-states(7) LABELS says. */
	uint16_t old_label;   /* TC_EV_LABEL with revised. Without revised,
			       * pkt and ts_ns may also name an earlier
			       * packet that later evidence labels (a RST
			       * not taken: rst-in-window-not-exact) */
	uint32_t seq, ack, len, win; /* the segment's (relative-free) values */
	uint64_t labels;      /* TC_EV_SEGMENT: bit per enum tc_label */
	uint32_t count;       /* TC_EV_LABEL dup-ack: its number in the run
			       * of duplicates (1 = first); TC_EV_CC: the
			       * bytes retransmitted in the state it leaves
			       * (at most UINT32_MAX); else 0 */
};

/* ---- The tracker -------------------------------------------------------- */

struct tc_tracker;

/* Returns a new tracker, or NULL when out of memory. The caller frees it
 * with tc_tracker_free(). cfg is copied. */
struct tc_tracker *tc_tracker_new(const struct tc_config *cfg);
void tc_tracker_free(struct tc_tracker *tr);

/* Feeds one segment. When an allocation fails, the tracker first sheds
 * memory (packs, then evicts, the oldest other connections; counted in
 * tc_stats.shed) and tries again. Returns 0, or -1 when nothing more could
 * be freed: the segment is then not counted and the tracker still valid;
 * only connections whose timers ran out by the segment's time or that
 * were evicted to shed memory may have been finished first. Odd
 * traffic is never an error: it becomes a label event. Events queued per
 * segment: TC_EV_CLOSE of connections the segment's time expired or its
 * SYN replaced (port reuse) or evicted, then TC_EV_SEGMENT, TC_EV_OPEN for
 * a new connection, then TC_EV_LABEL and TC_EV_TRANSITION in the order
 * they happened. */
int tc_feed(struct tc_tracker *tr, const struct tc_segment *seg);

/* Ends the input: every connection still tracked is finished (close "open",
 * or TIME-WAIT held) and a TC_EV_CLOSE is queued for each. The closes are
 * produced lazily by tc_next_event(), one whenever the queue is empty, so
 * the queue bound holds. */
void tc_finish(struct tc_tracker *tr);

/* Takes the oldest queued event into *ev. Returns 1, or 0 when none. */
int tc_next_event(struct tc_tracker *tr, struct tc_event *ev);

/* Looks up a tracked (not yet finished) connection; NULL if none. A packed
 * connection is unpacked for it (the tracker changes inside, its results
 * do not). Should that unpacking run out of memory, what is returned is a
 * copy valid only until the next call of any tc_ function on this
 * tracker. */
const struct tc_conn *tc_conn_get(const struct tc_tracker *tr, uint64_t id);

/* Like tc_conn_get(), but first derives what is otherwise derived only when
 * the connection finishes (handshake, data_on_syn, conn_state), as if it
 * ended now; close stays TC_CLOSE_OPEN and the connection goes on. For live
 * views. NULL if no such open connection. Cannot fail (out of memory, the
 * copy of tc_conn_get()). */
const struct tc_conn *tc_conn_refresh(struct tc_tracker *tr, uint64_t id);

/* 1 if both sides of c are done (CLOSED or TIME-WAIT). */
int tc_conn_over(const struct tc_conn *c);

/* Copies into *out the open connection id as TC_EV_CLOSE would hand it out
 * if it finished now without an eviction or a timeout: every derived figure
 * and close computed, finished = 1; the connection itself goes on (close
 * stays TC_CLOSE_OPEN). out->transitions points into the tracker, valid
 * until the next tc_feed(). Returns 0, or -1 if no such open connection. */
int tc_conn_peek_final(struct tc_tracker *tr, uint64_t id,
		       struct tc_conn *out);

/* Counters of the tracker as a whole. */
struct tc_stats {
	uint64_t segments, conns, evicted, timed_out, active;
	uint64_t events_dropped;  /* queue full: caller did not drain */
	uint64_t reused;          /* incarnations ended by port reuse */
	/* Memory. evicted above counts the connections finished early, for
	 * max_conns, max_bytes or an allocation failure, while a side was
	 * still open (tc_conn.evicted: their figures end there); released
	 * those finished early when both sides were done (only the rest of
	 * their TIME-WAIT is lost: a late segment starts a new connection). */
	uint64_t released;
	uint64_t bytes;           /* held now, allocator overhead included,
				   * but not the connections the last call
				   * finished (freed at the next): what
				   * max_bytes bounds */
	uint64_t peak_bytes;      /* most ever held, those included */
	uint64_t packed;          /* connections packed now (of active) */
	uint64_t packed_bytes;    /* bytes those packed records hold */
	uint64_t packs, unpacks;  /* times a connection was (un)packed */
	uint64_t shed;            /* connections packed or evicted because
				   * an allocation failed */
};
void tc_stats_get(const struct tc_tracker *tr, struct tc_stats *st);

/* Bytes of memory one tracked connection costs unpacked: its record plus
 * its share of the two hash-bucket arrays at the maximum load factor of 1.
 * A packed one costs far less: tc_stats.packed_bytes / tc_stats.packed on
 * average, plus the same share of the buckets. */
size_t tc_conn_bytes(void);

/* ---- The rule table (for `tcpscope states` and the manual) -------------- */

/* tc_rule.side: whose state the rule changes, relative to the segment
 * that fires it. SENDER: the endpoint that sent the segment. RECEIVER: the
 * endpoint it was sent to (the segment is assumed delivered). TIMER: no
 * segment; segment time passing (TIME-WAIT's 2*MSL). */
enum tc_rule_side { TC_RULE_SENDER = 0, TC_RULE_RECEIVER = 1, TC_RULE_TIMER = 2 };

/* tc_rule.from may be TC_RULE_ANY: the rule applies in every state but
 * the ones its text excludes. */
#define TC_RULE_ANY 0xffu

/* Strings are arrays, not pointers, so the table holds no relocations and
 * stays in read-only memory (tests/t_purity.sh). Read them as strings. */
struct tc_rule {
	uint16_t id;
	uint8_t side;         /* enum tc_rule_side */
	uint8_t from, to;     /* enum tc_state, or TC_RULE_ANY in from */
	char name[32];        /* short stable name, e.g. "syn-sent-ack" */
	char event[128];      /* what triggers it, in words */
	char rfc[12];         /* RFC 9293 section, e.g. "3.10.7.3" */
	uint8_t inferred;     /* fires for a segment the capture missed,
			       * proved by a later one (its transitions are
			       * marked inferred) */
};

extern const struct tc_rule tc_rules[];
extern const size_t tc_nrules;

/* The congestion-state rules (cc.c), one row per rule, rows in id order.
 * Every rule is about the sender of a direction; `by` says whose segment
 * fires it: TC_RULE_SENDER the sender's, TC_RULE_RECEIVER the ACK of the
 * receiver. from may be TC_RULE_ANY (every state but to). */
struct tc_cc_rule {
	uint16_t id;
	uint8_t by;           /* enum tc_rule_side */
	uint8_t from, to;     /* enum tc_cc_state, or TC_RULE_ANY in from */
	char name[32];        /* short stable name, e.g. "fast-retransmit" */
	char event[160];      /* what triggers it, in words */
};

extern const struct tc_cc_rule tc_cc_rules[];
extern const size_t tc_cc_nrules;

/* ---- Names -------------------------------------------------------------- */

const char *tc_state_name(unsigned s);      /* "SYN-SENT"; "?" if bad */
const char *tc_label_name(unsigned l);      /* "retransmission" */
/* A segment's window in bytes: win shifted by its direction's scale
 * (tc_dir_stats.wscale: the shift in effect, 0 when the peer did not
 * offer scaling, -1 unknown), but for a SYN, whose window is never scaled
 * (RFC 7323 2.2); unknown means no shift. */
static inline uint64_t tc_window_bytes(uint16_t win, int wscale, int syn)
{
	return (uint64_t)win << (syn || wscale < 0 ? 0 : wscale);
}

/* The label named name, or -1 when no label is. */
int tc_label_id(const char *name);
/* 1 when label l reports trouble (a retransmission, a zero window, a reset
 * out of window...), 0 when it is information (window-update, sack,
 * dsack, keep-alive, keep-alive-ack, wscale-unknown): the anomalies that
 * the views mark and `timeline --anomalies` keeps. */
int tc_label_is_anomaly(unsigned l);
const char *tc_close_name(unsigned c);
const char *tc_handshake_name(unsigned h);
const char *tc_reason_name(unsigned r);     /* why a label was given */
const char *tc_rule_side_name(unsigned s);  /* "sender", "receiver", "timer" */
const char *tc_cc_state_name(unsigned s);   /* "Recovery"; "?" if bad */
const char *tc_limit_name(unsigned l);      /* "receiver_window" */

/* Why a label was given (tc_event.reason). */
#define TC_REASONS(X)                                                         \
	X(NONE, "none")                                                       \
	X(BYTES_SEEN, "all bytes seen before")                                \
	X(BELOW_HIGHEST, "new bytes below the highest sequence seen")         \
	X(GAP, "sequence jumps past unseen bytes")                            \
	X(SAME_SYN, "SYN with the same ISN again")                            \
	X(SAME_FIN, "FIN at the same sequence again")                         \
	X(SAME_ACK, "same ACK and window, peer has data outstanding")         \
	X(DUP_ACKS, "retransmission after duplicate ACKs")                    \
	X(WINDOW_ZERO, "advertised window is zero")                           \
	X(ONE_BELOW, "sequence one below the next expected")                  \
	X(WINDOW_CHANGED, "same ACK, only the window changed")                \
	X(ACK_BEYOND, "acknowledges bytes never captured")                    \
	X(RST_WINDOW, "RST sequence outside the receive window (RFC 5961)")   \
	X(RST_NOT_EXACT, "RST in window but not at RCV.NXT (RFC 5961 3.2)")   \
	X(RST_NO_ACK, "RST in SYN-SENT without an acceptable ACK")            \
	X(AFTER_FIN, "data beyond the sender's FIN")                          \
	X(AFTER_RST, "data after a RST ended the connection")                 \
	X(AFTER_CLOSE, "segment after both sides closed")                     \
	X(SYN_DATA, "payload on a SYN")                                       \
	X(FLAGS, "flag combination not allowed (SYN+FIN, SYN+RST, none)")     \
	X(WSCALE, "window scale shift above 14")                              \
	X(NO_WSCALE, "no SYN seen: window scale unknown")                     \
	X(CHECKSUM, "bad TCP checksum")                                       \
	X(TIME_BACK, "timestamp earlier than the previous segment's")        \
	X(SACK_BLOCKS, "segment carries SACK blocks")                         \
	X(DSACK_BLOCK, "first SACK block below the cumulative ACK or inside " \
	  "the second (RFC 2883)")                                            \
	X(DUPLICATE, "identical segment captured twice")                      \
	X(PROBE, "one byte at the next sequence into a zero window")          \
	X(WINDOW_FILLED, "segment ends exactly at the peer's window edge")    \
	X(REORDERED, "the bytes it skipped arrived later: reordering, not loss") \
	X(TSVAL_EARLIER, "new bytes below the highest, TSval older than the " \
	  "segment that skipped them: a late original")                       \
	X(TSVAL_LATER, "bytes never captured, TSval newer than the segment "  \
	  "that skipped them: sent again")                                    \
	X(IPID_EARLIER, "new bytes below the highest, IP ID older than the "  \
	  "segment that skipped them: a late original")                       \
	X(IPID_LATER, "bytes never captured, IP ID newer than the segment "   \
	  "that skipped them: sent again")                                    \
	X(AFTER_RTT, "bytes never captured, sent an RTT or more after the "   \
	  "segment that skipped them: the original was lost")                 \
	X(ALREADY_ACKED, "every byte was already acknowledged by the peer")   \
	X(DSACK_REPORTED, "the peer reported these bytes twice (D-SACK)")     \
	X(SACK_HOLE, "resends the first hole after the peer SACKed later "    \
	  "data")                                                             \
	X(LINUX_PROBE, "one below the next sequence while the peer's window " \
	  "is zero")                                                          \
	X(ANSWERS_PROBE, "pure ACK answering a zero-window probe")            \
	X(ANSWERS_KEEPALIVE, "pure ACK answering a keep-alive")               \
	X(OVER_MSS, "larger than the MSS the peer announced: segmentation "   \
	  "offload (TSO/GSO/GRO) on the capturing host")                      \
	X(OFFLOAD_CSUM, "every segment of this direction so far has a bad "   \
	  "checksum: checksum offload on the capturing host")                 \
	X(CAPTURE_ORDER, "bytes recorded after their ACK but sent before it: " \
	  "capture order, not the network")                                   \
	X(SAME_IPID, "same IP ID, sequence, ACK and payload as a recent "     \
	  "segment")                                                          \
	X(ACKED_HOLE, "sequence jumps past bytes never captured that the "    \
	  "peer acknowledged (capture loss)")                                 \
	X(EIFEL, "the first ACK covering it echoes an older TSval: the "     \
	  "original had arrived (Eifel, RFC 3522)")                           \
	X(COPY_BACK, "bytes seen before, stamped before an earlier segment " \
	  "of the same side: a second copy (merged or replayed capture)")    \
	X(TSVAL_SAME, "new bytes below the highest, same TSval as the "       \
	  "segment that skipped them, whose sender's TSval ticks within an "  \
	  "RTT: a late original (a resend is stamped later)")                 \
	X(LATE_AFTER_RESEND, "bytes already resent, TSval older than the "    \
	  "resend's and not newer than the segment that skipped them: the "   \
	  "original, later than its resend")                                  \
	X(RST_NOT_TAKEN, "its receiver sent again after it: the RST was not " \
	  "at its RCV.NXT, a challenge ACK answered it (RFC 5961 3.2)")       \
	X(IPID_RESENT, "goes on where the captured data ended, but the "      \
	  "sender's IP IDs skip packets never captured and it comes a "       \
	  "timeout later: its first copy was lost before the capture point")

enum tc_reason {
#define TC_X(id, name) TC_RS_##id,
	TC_REASONS(TC_X)
#undef TC_X
	TC_RS__COUNT
};

#endif /* TCPCORE_H */
