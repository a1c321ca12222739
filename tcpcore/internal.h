/*
 * internal.h - what the tcpcore modules share and nobody else sees.
 *
 * A tracked connection is a struct tc_node (the table's links, its id and
 * identity: table.c) followed either by the rest of a struct tc_cx, the
 * full record, or by its packed bytes (pack.c). A tc_cx holds the public
 * struct tc_conn, then one struct tc_ep per endpoint. A tc_ep holds four
 * groups of fields, each owned by one module:
 *
 *   machine.c   the RFC 9293 view: ISN, FIN position, highest ACK sent,
 *               which control segments the peer has proved it received;
 *   analysis.c  per-direction inference: highest sequence seen, holes,
 *               last ACK and window, duplicate-ACK count;
 *   cc.c        the sender's congestion state and where the time of
 *               the direction it sends went;
 *   zeek.c      a shadow of Zeek's TCP_Endpoint (state, start/last/ack
 *               sequence, history thresholds) for conn_state and history.
 *
 * Modules talk through the small functions declared below, in floors
 * that only call down:
 *
 *   tracker.c                 the order in which modules run for one
 *                             segment, timers, the memory budget
 *   cc.c                      the data-transfer phase (reads the labels
 *                             and the RTO of analysis.c)
 *   analysis.c machine.c zeek.c iter.c
 *   pack.c                    packed records
 *   emit.c table.c            events, labels, transitions; the flow table
 *   mem.c rules.c names.c ports.c
 *
 * machine.c, analysis.c and zeek.c only ever see full records, as
 * tracker.c unpacks a connection before it feeds or finishes it and packs
 * none that a module is working on.
 */
#ifndef TCPCORE_INTERNAL_H
#define TCPCORE_INTERNAL_H

#include "tcpcore.h"

/* Serial-number arithmetic (RFC 1982), as Suricata's SEQ_LT family. */
#define SEQ_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))
#define SEQ_LT(a, b) (SEQ_DIFF(a, b) < 0)
#define SEQ_LEQ(a, b) (SEQ_DIFF(a, b) <= 0)
#define SEQ_GT(a, b) (SEQ_DIFF(a, b) > 0)
#define SEQ_GEQ(a, b) (SEQ_DIFF(a, b) >= 0)

/* a - b for nanosecond times, saturated: timestamps come from untrusted
 * captures and may lie anywhere in int64_t. */
static inline int64_t tc_tdiff(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return a < b ? INT64_MIN : INT64_MAX;
	return r;
}

#define TC_MAX_TRANS 16 /* transitions kept in the record; more go to trx */
#define TC_MAX_GAPS 4   /* unseen ranges remembered per direction */

/* Zeek's TCP_Endpoint states (EndpointState), numbered as Zeek logs them. */
enum tc_zk_state {
	TC_ZK_INACTIVE = 0,
	TC_ZK_SYN_SENT = 1,
	TC_ZK_SYN_ACK_SENT = 2,
	TC_ZK_PARTIAL = 3,
	TC_ZK_ESTABLISHED = 4,
	TC_ZK_CLOSED = 5,
	TC_ZK_RESET = 6
};

struct tc_gap {
	uint32_t lo, hi;   /* bytes [lo, hi) never captured */
	/* The segment that skipped them (analysis.c), for deciding whether
	 * the bytes arriving later are a late original or sent again. */
	uint64_t pkt;
	int64_t ts;
	uint32_t tsval;
	uint16_t ip_id;
	uint8_t by_ack;    /* opened by the peer's ACK (acked-unseen) */
	uint8_t resent;    /* part of it came back as a retransmission */
	uint8_t has_ts, ipid_ok;
};

#define TC_WSCALE_MAX 14 /* the largest window scale shift, RFC 7323 2.3 */
#define TC_RING 4 /* recent segments remembered per direction */

/* One recent segment of a direction (analysis.c): what a capture
 * duplicate must repeat and what a D-SACK may point at. */
struct tc_seen {
	uint32_t seq, len, ack, tsval, hash;
	uint64_t pkt;
	int64_t ts;
	uint16_t ip_id, flags, window;
	uint32_t opt_sig; /* digest of the options other than TSval */
	uint8_t label;    /* retransmission label given, or TC_LB__COUNT */
	uint8_t has_ts;
};

struct tc_ep {
	/* machine.c */
	uint32_t isn;        /* sequence number of this side's SYN */
	uint32_t syn_end;    /* first sequence number after SYN and its data */
	uint32_t fin_seq;    /* sequence number of this side's FIN octet */
	uint32_t ack_max;    /* highest ACK this side sent (not in RSTs) */
	int64_t tw_since;    /* entered TIME-WAIT at this segment time */
	uint8_t syn_seen;    /* sent a SYN (or one is inferred) */
	uint8_t synack_seen; /* sent a SYN-ACK */
	uint8_t syn_inferred;/* SYN-ACK never captured, inferred from an ACK */
	uint8_t fin_seen;
	uint8_t got_fin;     /* proved it received the peer's FIN */
	uint8_t fin_acked;   /* the peer's ACK of our FIN was delivered */
	uint8_t ack_valid;
	uint8_t passive;     /* came through LISTEN */
	uint8_t sent_any;    /* sent at least one segment */
	uint8_t syn_data;    /* its SYN carried payload */
	uint8_t sent_syn;    /* sent a SYN without ACK */
	uint8_t ended;       /* reached CLOSED through a transition */

	/* analysis.c */
	uint32_t hi;         /* highest sequence end seen (data, SYN, FIN) */
	uint32_t last_ack, last_win;
	uint8_t hi_valid, last_valid;
	uint8_t ngaps;
	uint8_t dupacks;     /* duplicate ACKs this side sent in a row */
	uint8_t ws_offered;  /* its SYN carried a window-scale option */
	uint8_t syn_has_ts;  /* syn_tsval holds the TSval of its SYN */
	uint8_t rs_on;
	uint8_t eif_on;      /* (Eifel, below; here to fill the word) */
	struct tc_gap gaps[TC_MAX_GAPS];
	int64_t last_ts;     /* time of this side's previous segment */
	int64_t hi_ts;       /* time hi last advanced */
	int64_t syn_ts;      /* time of its last SYN or SYN-ACK */
	uint32_t ack_hi;     /* highest ACK this side sent */
	uint32_t seen_hi;    /* highest sequence end of its own segments
			      * (hi may be higher: the peer acked unseen) */
	uint8_t ack_hi_valid;
	uint8_t probe;       /* label of its last keep-alive or probe */
	uint8_t ipid_run;    /* in-order segments whose IP ID rose by 1..255 */
	uint8_t ws_said;     /* wscale-unknown already labelled */
	uint8_t sacked;      /* its last ACK SACKed data above the ACK */
	uint8_t rep_acks;    /* repeats of its ACK (RFC 6675 DupAcks) */
	uint8_t zwp_pending; /* sent a probe byte R has not taken yet */
	uint8_t back;        /* this segment is stamped before its side's
			      * latest (set per segment) */
	int64_t max_ts;      /* latest time of this side's segments */
	uint32_t rto_n;      /* RTT samples of the RFC 6298 estimator below */
	/* Eifel: its last retransmission still waiting for an ACK (and
	 * eif_on above). */
	uint32_t eif_end, eif_tsval;
	uint32_t syn_tsval;  /* TSval of the SYN timed by syn_ts: how fast
			      * its TSval clock ticks */
	uint64_t eif_pkt;
	int64_t eif_ts;
	uint32_t zwp_end;    /* sequence after that byte */
	uint16_t last_ip_id;
	uint8_t ring_n, ring_pos;
	struct tc_seen ring[TC_RING];
	/* RTT: one timed segment (Karn) and one timed TSval. */
	uint32_t rt_end, rt_tsval;
	int64_t rt_ts, rt_tsts;
	uint8_t rt_on, rt_tson;
	uint8_t cc_ipid_run; /* cc.c: its segments in a row whose IP ID rose
			      * by exactly their count (cc_ipid below) */
	uint8_t cc_hidden;   /* cc.c: in Loss entered by ipid-stall, its
			      * recovery point unknown (bytes it sent were
			      * never captured): 1; an ACK reached the
			      * captured one, its next data decides: 2 (that
			      * ACK in cc_dpend_ts/_pkt) */
	/* The last hole a resend filled, the original not yet captured:
	 * bytes [rs_lo, rs_hi), the TSval of the segment that skipped them
	 * and the lowest TSval of the resends that filled them (rs_on). */
	uint32_t rs_lo, rs_hi, rs_gap_tsval, rs_tsval;
	uint32_t cc_grow_ns; /* cc.c: in Recovery entered by sack-recovery,
			      * the ACK's way to the sender (ns, saturates):
			      * new data captured up to this long after
			      * cc_dpend_ts was sent before that ACK reached
			      * it and moves the recovery point (here to fill
			      * the word) */
	/* RFC 6298 estimator over the RTT samples of this side's data
	 * (rto_n above). */
	int64_t rto_srtt, rto_var;

	/* cc.c: the data-transfer phase of the direction this side sends.
	 * Sequence numbers are payload only (no SYN, no FIN). */
	uint8_t cc_state;    /* enum tc_cc_state */
	uint8_t cc_phase;    /* where the time goes now (cc.c, enum phase) */
	uint8_t cc_nxt_ok, cc_una_ok;
	uint8_t cc_rwnd_ok;  /* cc_rwnd holds bytes: 1; the window field,
			      * its scale unknown: RWND_FIELD (cc.c) */
	uint8_t cc_sent;     /* has sent payload */
	uint8_t cc_full;     /* its last new data was a full-sized segment */
	uint8_t cc_acked;    /* an ACK reached it since its last new data */
	uint8_t cc_clocked;  /* sent new data an ACK made room for, since it
			      * was last idle: the window, not the
			      * application, paces it */
	uint8_t cc_backoffs; /* timeouts backed off in this Loss episode */
	uint8_t cc_seen_ok;
	uint8_t cc_dpend;    /* a dup-ack or SACK came while Open: 1; it
			      * showed the loss: 2 (cc.c, "Disorder") */
	uint8_t cc_pq_n, cc_pq_head; /* ACKs on their way to the sender */
	/* (zeek.c's two bytes, here to fill the words: the whole struct
	 * must stay below 1024 bytes, pack.c's near distance.) */
	uint8_t zk_own_seq;  /* zk_last comes from its own segments */
	uint8_t zk_gap;
	uint32_t cc_nxt;     /* highest payload byte sent, + 1 */
	uint32_t cc_una;     /* highest ACK of the receiver the sender has
			      * had time to get (see cc_pq_*) */
	uint32_t cc_seen;    /* highest ACK of the receiver captured */
	uint32_t cc_pq_ack[4];  /* the ACKs on their way, */
	union {
		uint32_t cc_high;  /* in Recovery, Loss, CWR: the recovery
				    * point, cc_nxt when it began */
		uint32_t cc_pause; /* in Open (cc_pause_ok): the first byte
				    * of the lowest send pause of RACK's
				    * reordering window above the ACK */
	};
	uint32_t cc_rwnd;    /* the receiver's last window, bytes (at most
			      * 65535 << 14) */
	uint32_t cc_rec_bytes; /* retransmitted in this Recovery or Loss
				* (saturates) */
	int64_t cc_pq_t[4];     /* when the sender has each (capture time), */
	uint64_t cc_pq_pkt[4];  /* the packet that carried it */
	int64_t cc_since;    /* time accounted up to */
	int64_t cc_wait;     /* the retransmission timer's start: its last
			      * send into an empty flight, retransmission or
			      * advancing ACK */
	int64_t cc_last_gap; /* the wait of its last timeout */
	int64_t cc_ack_at;   /* when the sender got its last advancing ACK */
	int64_t cc_lead;     /* idle before its first payload byte */
	int64_t cc_idle_from;/* the current idle stretch began */
	int64_t cc_kind_from;/* the current stretch of one kind began */
	uint64_t cc_kind_pkt;/* at this packet */
	int64_t cc_bacc;     /* time at the application's pace (BUSY)
			      * since it was last idle */
	int64_t cc_acc[7];   /* time per phase (cc.c, enum phase) */
	int64_t cc_wacc[5];  /* of which since cc_wait (BUSY .. RECOV) */
	int64_t cc_dpend_ts;  /* the first dup-ack or SACK of cc_dpend (or
			       * the ACK of cc_hidden 2, or of cc_grow_ns), */
	uint64_t cc_dpend_pkt;/* its packet */
	int64_t cc_ev_ns[4]; /* longest stretch per kind (enum kind) */
	uint64_t cc_ev_pkt[4];

	/* zeek.c */
	uint8_t zk_state, zk_prev;
	uint8_t zk_fin_cnt;
	uint8_t zk_seq_valid;
	uint32_t zk_start, zk_last, zk_ackseq;
	uint32_t zk_last_syn, zk_last_fin, zk_last_rst;
	uint32_t zk_rxmt_cnt, zk_rxmt_thresh;
	uint32_t zk_win0_cnt, zk_win0_thresh;
	uint32_t zk_chk_cnt, zk_chk_thresh;
	/* cc.c, in the struct's tail padding: the IP ID of its last
	 * segment (0: none or IPv6) and the step the next one takes if no
	 * packet is missed (a segment larger than the MSS went out as
	 * several, each with its own ID). */
	uint16_t cc_ipid;
	uint8_t cc_ipid_step;
	uint8_t cc_pause_ok; /* cc_pause holds a pause */
	/* zk_own_seq and zk_gap: with cc.c's bytes above */
};

/* What a connection is found by (table.c), in every record's node: the
 * same values as tc_conn's addr, port, vlan and observed. */
struct tc_key {
	struct tc_addr addr[2];    /* [TC_CLIENT], [TC_SERVER] */
	uint16_t port[2];
	uint16_t vlan[2];          /* the connection's (0 with ignore_vlan) */
	uint16_t dvlan[2][2];      /* VLAN ids each direction came with */
	uint8_t observed[2];       /* that direction was seen */
	uint8_t tunnel;            /* enum tc_tunnel: matched exactly */
	uint32_t tunnel_id;
};

/* Eviction classes, in the order victims are taken (table.c). */
enum tc_class {
	TC_CL_DONE, /* both sides done (tc_machine_over()) or reset */
	TC_CL_HALF, /* neither side reached ESTABLISHED */
	TC_CL_LIVE, /* the others */
	TC_CL__COUNT
};

/* tc_node.flags */
#define TC_N_PACKED 0x01u /* a packed record (pack.c), not a tc_cx */
#define TC_N_LINKED 0x02u /* in the table and its lists */
#define TC_N_SPARE 0x04u  /* a tc_cx in tr->spare[], never freed */
#define TC_N_TRX 0x08u    /* packed: the state owns a trx array */

/* The part common to full and packed records: everything the table, the
 * lists and the timers need without unpacking. */
struct tc_node {
	struct tc_node *hnext;     /* hash chain by identity */
	struct tc_node *inext;     /* hash chain by id */
	struct tc_node *prev, *next; /* LRU, least recent first; next also
				      * chains the grave */
	struct tc_node *cprev, *cnext; /* list of its class, same order */
	uint64_t id;
	int64_t last_ts;           /* = tc_conn.last_ts */
	uint32_t hash;
	uint32_t size;             /* bytes of the record's allocation */
	uint8_t flags;             /* TC_N_* */
	uint8_t klass;             /* enum tc_class */
	struct tc_key key;
};

struct tc_cx {
	struct tc_node n;          /* must stay first */
	struct tc_conn c;          /* public part */
	struct tc_cx *fprev, *fnext; /* full records, least recent first */
	struct tc_ep ep[2];        /* [TC_CLIENT], [TC_SERVER] */
	struct tc_transition tr[TC_MAX_TRANS];
	/* Once a connection has more than TC_MAX_TRANS transitions, all of
	 * them live in trx (trcap entries) and c.transitions points there. */
	struct tc_transition *trx;
	uint32_t trcap;
	uint32_t hist_seen;        /* Zeek's hist_seen bits */
	uint8_t hist_len;
	uint8_t zk_orig;           /* which side Zeek calls the originator */
	uint8_t server_known;      /* the server's first state is decided */
	uint8_t reset;             /* an accepted RST ended it */
	uint8_t refused;
	uint8_t timed_out;
	uint8_t simultaneous;
	uint8_t tfo;
	double rtt_sum, rtt_sq;    /* analysis.c: sums of the RTT samples */
	/* machine.c: the last RST that closed its receiver, which may yet
	 * show it never took it (RFC 5961 3.2): rst_pend, the receiver's
	 * side, the RST's sequence number, packet and time. */
	uint8_t rst_pend, rst_rcv;
	/* machine.c: bit per side whose FIN is inferred (fin-unseen);
	 * for the RST of rst_pend, whether its receiver's segments after it
	 * leave open whether it took the RST, and what that side sent after
	 * it: bit 0 a FIN, bit 1 then a RST of its peer, bit 2 anything. */
	uint8_t fin_inferred, rst_alt_after;
	/* machine.c: the ACK field of each side's first FIN (bit d of
	 * fin_ack_valid when it had one): whether it had its peer's FIN;
	 * per side the end of its highest segment that took sequence
	 * space (data, SYN or FIN), bit d of data_hi_valid once there is
	 * one (a bare ACK's sequence number may be past it when segments
	 * went uncaptured). analysis.c: ipid_skipped, bit per side whose
	 * IP IDs skipped packets before (only a first skip is read as a
	 * resend's lost first copy). */
	uint8_t fin_ack_valid, data_hi_valid, ipid_skipped;
	uint32_t fin_ack[2];
	uint32_t data_hi[2];
	uint32_t rst_seq;
	uint8_t cc_ws_min[2];      /* cc.c, per direction: the smallest
				    * window scale of its receiver that its
				    * sender's data fits (its scale unknown) */
	uint8_t cc_ws_votes[2];    /* segments that did not fit it since */
	uint64_t rst_pkt;
	int64_t rst_ts;
};

#define TC_SPARES 16 /* full records kept aside for finishing packed ones */

struct tc_tracker {
	struct tc_config cfg;
	struct tc_node **hbuckets; /* by identity */
	struct tc_node **ibuckets; /* by id */
	size_t nbuckets;           /* power of two */
	struct tc_node *head, *tail; /* LRU */
	struct tc_node *chead[TC_CL__COUNT], *ctail[TC_CL__COUNT];
	struct tc_cx *fhead, *ftail; /* full records (linked ones) */
	struct tc_node *grave;     /* finished, freed at the next call */
	struct tc_event *q;
	uint32_t qcap, qhead, qlen;
	int64_t now;               /* latest segment time seen */
	uint64_t next_id;
	struct tc_stats st;
	int finishing;
	size_t full_bytes;         /* held by linked full records */
	size_t grave_bytes;        /* held by the grave */
	struct tc_tracker *self;   /* for tc_conn_get(), which unpacks */
	/* A packed connection being finished is unpacked into a spare
	 * (tracker.c, finish_node); out of memory, tc_conn_get() copies one
	 * into view. */
	uint8_t spare_busy[TC_SPARES];
	struct tc_cx spare[TC_SPARES];
	struct tc_cx view;
};

/* ---- emit.c: events, labels, transitions ---------------------------------- */

/* Queues an event (drops it and counts when the queue is full); returns
 * the slot or NULL. */
struct tc_event *tc_q_push(struct tc_tracker *tr, uint8_t type,
			   struct tc_cx *cx, const struct tc_segment *s, int d);
/* Gives segment s (sent by side d) label l for reason r: sets the bit in
 * *labels, counts it in the direction's stats and queues TC_EV_LABEL. */
void tc_label(struct tc_tracker *tr, struct tc_cx *cx,
	      const struct tc_segment *s, int d, uint64_t *labels, unsigned l,
	      unsigned r);
/* Sets side's first state (tc_machine_init()), or corrects the server's
 * provisional LISTEN to CLOSED when its first segment shows it never
 * listened (a RST refusing the SYN, a SYN of its own): not a transition,
 * nothing is recorded; only before the side made any (asserted). */
void tc_first_state(struct tc_cx *cx, int side, int state);
/* Gives the earlier packet pkt (time ts, sent by side d) label l for
 * reason r, as later evidence shows: counts it when `count` and queues
 * TC_EV_LABEL, which it returns (NULL when the queue is full) for a
 * revision to complete. */
struct tc_event *tc_label_late(struct tc_tracker *tr, struct tc_cx *cx, int d,
			       uint64_t pkt, int64_t ts, unsigned l,
			       unsigned r, int count);
/* The last recorded transition of side, or NULL. */
const struct tc_transition *tc_last_transition(const struct tc_cx *cx,
					       int side);
/* Withdraws the last recorded transition of side `side` made by packet
 * pkt with rule `rule`: the side is back in its from state and
 * TC_EV_TRANSITION with revised=1 is queued. Returns 1, or 0 when there
 * is no such transition (it was not kept). */
int tc_transition_withdraw(struct tc_tracker *tr, struct tc_cx *cx, int side,
			   unsigned rule, uint64_t pkt);
/* Asserts what side's state implies of its record (emit.c). */
void tc_check_side(const struct tc_cx *cx, int side);
/* Records side `side` moving to state `to` by rule `rule`, at ts/pkt; the
 * move must be the rule's (asserted). */
void tc_transition(struct tc_tracker *tr, struct tc_cx *cx, int side, int to,
		   unsigned rule, int64_t ts, uint64_t pkt);

/* ---- mem.c: memory ------------------------------------------------------ */

/* Allocates n bytes through the hooks and counts them (with the
 * allocator's overhead) in tr->st.bytes; NULL when out of memory. */
void *tc_mem_alloc(struct tc_tracker *tr, size_t n);
/* A zeroed tracker with cfg, allocated through cfg's hooks and counted in
 * its own st.bytes; NULL when out of memory. */
struct tc_tracker *tc_mem_new_tracker(const struct tc_config *cfg);
/* Frees p, an allocation of n bytes; NULL is fine. */
void tc_mem_free(struct tc_tracker *tr, void *p, size_t n);
/* What an allocation of n bytes is counted as. */
size_t tc_mem_cost(size_t n);

/* ---- table.c: identity, hash table, lists -------------------------------- */

int tc_table_init(struct tc_tracker *tr);
void tc_table_free(struct tc_tracker *tr);
/* Finds the record of s, full or packed; *dir gets 0 (client to server)
 * or 1. */
struct tc_node *tc_table_find(struct tc_tracker *tr,
			      const struct tc_segment *s, int *dir);
struct tc_node *tc_table_node_id(const struct tc_tracker *tr, uint64_t id);
/* Hashes s's identity (symmetric in the endpoints). */
uint32_t tc_key_hash(const struct tc_tracker *tr, const struct tc_segment *s);
/* Links a new full record at the tail of every list, in class klass
 * (enum tc_class). */
void tc_table_insert(struct tc_tracker *tr, struct tc_cx *cx, int klass);
void tc_table_remove(struct tc_tracker *tr, struct tc_node *n);
/* Puts record nw in old's place in the hash chains and lists (packing or
 * unpacking), keeping every order; old is unlinked. A full nw joins the
 * full list at its head (least recent), or with `recent` at its tail. */
void tc_table_replace(struct tc_tracker *tr, struct tc_node *old,
		      struct tc_node *nw, int recent);
/* cx just had a segment: tail of the LRU, of the full list and of the list
 * of its class. */
void tc_lru_touch(struct tc_tracker *tr, struct tc_cx *cx);
/* Puts cx in class k: to the tail of that class's list if it changed. */
void tc_table_classify(struct tc_tracker *tr, struct tc_cx *cx, int k);
/* The oldest record of the best class to evict, not `keep`; NULL if none. */
struct tc_node *tc_table_victim(const struct tc_tracker *tr,
				const struct tc_node *keep);

/* ---- pack.c: packed records -------------------------------------------- */

/* Packs the full record cx into a new packed record that takes its place;
 * frees cx. Returns 0, or -1 when out of memory (cx unchanged). */
int tc_pack(struct tc_tracker *tr, struct tc_cx *cx);
/* Unpacks the packed record n into a full one, into dst when given (a
 * spare) or else a new allocation, which takes n's place (at the full
 * list's tail with `recent`); frees n. Returns the full record, or NULL
 * when out of memory (n unchanged). The bytes are exactly those packed. */
struct tc_cx *tc_unpack(struct tc_tracker *tr, struct tc_node *n,
			struct tc_cx *dst, int recent);
/* Decodes the packed record n into *out, a copy, changing nothing else. */
void tc_pack_decode(const struct tc_node *n, struct tc_cx *out);
/* Frees a record, full or packed, that is in no list. */
void tc_record_free(struct tc_tracker *tr, struct tc_node *n);
/* Finds connection id as a full record: a packed one is unpacked (or,
 * out of memory, copied into tr->view). NULL if none. */
struct tc_cx *tc_find_full(struct tc_tracker *tr, uint64_t id);

/* ---- ports.c ------------------------------------------------------------- */

/* 1 if `port` is a port servers usually listen on (Zeek's
 * likely_server_ports for the analyzers it ships). */
int tc_likely_server_port(uint16_t port);

/* ---- rules.c ------------------------------------------------------------ */

/* The rule table, one row per rule: id, name, whose state changes (S sender,
 * R receiver, T timer), from, to, trigger, RFC 9293 section. rules.c turns
 * it into tc_rules[]; machine.c names rows by TC_R_<id>. */
#define TC_RULE_LIST(X)                                                       \
	X(ACTIVE_OPEN, "active-open", S, CLOSED, SYN_SENT,                    \
	  "sends a SYN without ACK (active open)", "3.10.1")                 \
	X(PASSIVE_SYNACK, "passive-syn-ack", S, LISTEN, SYN_RECEIVED,         \
	  "sends a SYN-ACK answering the peer's SYN", "3.10.7.2")            \
	X(SIMOPEN_SYNACK, "simultaneous-syn-ack", S, SYN_SENT, SYN_RECEIVED,  \
	  "sends a SYN-ACK after its own SYN (simultaneous open)", "3.10.7.3") \
	X(SYNSENT_ACK, "syn-sent-ack", S, SYN_SENT, ESTABLISHED,              \
	  "sends an ACK of the peer's SYN-ACK", "3.10.7.3")                  \
	X(SYNACK_UNSEEN, "syn-ack-unseen", R, LISTEN, SYN_RECEIVED,           \
	  "the peer in SYN-SENT acknowledges a SYN-ACK the capture missed",   \
	  "3.10.7.2")                                                         \
	X(SYNRCVD_ACKED, "syn-received-acked", R, SYN_RECEIVED, ESTABLISHED,  \
	  "receives an ACK of its SYN (assumed delivered)", "3.10.7.4")      \
	X(ACK_UNSEEN, "ack-unseen", R, SYN_SENT, ESTABLISHED,                 \
	  "its ACK of the SYN-ACK was not captured: the peer in "             \
	  "SYN-RECEIVED sends data or acknowledges later data",               \
	  "3.10.7.3")                                                         \
	X(SYNRCVD_ACK_UNSEEN, "syn-received-ack-unseen", S, SYN_RECEIVED,     \
	  ESTABLISHED, "sends data or acknowledges later data: the ACK of "   \
	  "its SYN arrived uncaptured", "3.10.7.4")                          \
	X(CLOSE_ESTAB, "close-established", S, ESTABLISHED, FIN_WAIT_1,       \
	  "sends a FIN (active close)", "3.10.4")                            \
	X(CLOSE_SYNRCVD, "close-syn-received", S, SYN_RECEIVED, FIN_WAIT_1,   \
	  "sends a FIN before its SYN was acknowledged", "3.10.4")           \
	X(CLOSE_PASSIVE, "close-passive", S, CLOSE_WAIT, LAST_ACK,            \
	  "sends its FIN after the peer's (passive close)", "3.10.4")        \
	X(FIN_RECEIVED, "fin-received", S, ESTABLISHED, CLOSE_WAIT,           \
	  "acknowledges the peer's FIN", "3.10.7.4")                         \
	X(FINWAIT1_ACKED, "fin-wait-1-acked", R, FIN_WAIT_1, FIN_WAIT_2,      \
	  "receives an ACK of its FIN (assumed delivered)", "3.10.7.4")      \
	X(SIMCLOSE_FIN, "simultaneous-close-fin", S, FIN_WAIT_1, CLOSING,     \
	  "acknowledges the peer's FIN while its own FIN is unacknowledged",  \
	  "3.10.7.4")                                                         \
	X(SIMCLOSE_IMPLIED, "simultaneous-close-implied", R, FIN_WAIT_1,      \
	  CLOSING, "receives an ACK of its FIN that the peer sent after an "  \
	  "earlier FIN of its own: in-order delivery brought that FIN first", \
	  "3.10.7.4")                                                         \
	X(CLOSING_ACKED, "closing-acked", R, CLOSING, TIME_WAIT,              \
	  "receives an ACK of its FIN (assumed delivered)", "3.10.7.4")      \
	X(FINWAIT2_FIN, "fin-wait-2-fin", S, FIN_WAIT_2, TIME_WAIT,           \
	  "acknowledges the peer's FIN", "3.10.7.4")                         \
	X(LASTACK_ACKED, "last-ack-acked", R, LAST_ACK, CLOSED,               \
	  "receives an ACK of its FIN (assumed delivered)", "3.10.7.4")      \
	X(TIMEWAIT_EXPIRED, "time-wait-expired", T, TIME_WAIT, CLOSED,        \
	  "2*MSL of segment time passed (cfg.msl_ns)", "3.10.8")             \
	X(RST_SENT, "rst-sent", S, ANY, CLOSED,                               \
	  "sends an acceptable RST (from any state but CLOSED)", "3.10.7.4") \
	X(RST_REFUSED, "rst-refused", R, SYN_SENT, CLOSED,                    \
	  "receives a RST whose ACK acknowledges its SYN (refused)",          \
	  "3.10.7.3")                                                         \
	X(RST_RECEIVED, "rst-received", R, ANY, CLOSED,                       \
	  "receives a RST at exactly RCV.NXT (RFC 5961 3.2), in any "         \
	  "synchronized state", "3.10.7.4")                                  \
	X(RST_SYNRCVD, "rst-syn-received", R, SYN_RECEIVED, LISTEN,           \
	  "receives an acceptable RST after a passive open: back to LISTEN",  \
	  "3.10.7.4")                                                         \
	X(SYN_IMPLIED, "syn-implied", R, CLOSED, SYN_SENT,                    \
	  "receives a SYN-ACK acknowledging a SYN of its own not captured "   \
	  "(yet): it sent one", "3.10.1")                                     \
	X(RST_AT_ACK, "rst-received-at-ack", R, ANY, CLOSED,                  \
	  "receives a RST at the sequence number of its own last ACK, below " \
	  "what the peer sent: at RCV.NXT as that ACK told (RFC 5961 3.2)",   \
	  "3.10.7.4")                                                         \
	X(FIN_UNSEEN, "fin-unseen", R, ESTABLISHED, FIN_WAIT_1,               \
	  "the peer acknowledges one past its last byte: a FIN of its own "   \
	  "that the capture missed (inferred)", "3.10.4")                    \
	X(FIN_UNSEEN_PASSIVE, "fin-unseen-passive", R, CLOSE_WAIT, LAST_ACK,  \
	  "the peer acknowledges one past its last byte after its FIN: its "  \
	  "own FIN, not captured (inferred)", "3.10.4")                      \
	X(FIN_ACK_UNSEEN, "fin-ack-unseen", R, ESTABLISHED, CLOSE_WAIT,       \
	  "the peer, its FIN sent, acknowledges one past its last byte: it "  \
	  "took that FIN, then sent its own (inferred)", "3.10.7.4")          \
	X(SYN_REFUSED_IMPLIED, "syn-refused-implied", R, CLOSED, SYN_SENT,    \
	  "receives a RST,ACK of sequence 0 acknowledging a SYN of its own "  \
	  "not captured: the answer to a SYN (inferred)", "3.10.7.1")

enum tc_rule_id {
#define TC_X(id, name, side, from, to, ev, rfc) TC_R_##id,
	TC_RULE_LIST(TC_X)
#undef TC_X
	TC_R__COUNT
};

/* ---- machine.c ---------------------------------------------------------- */

/* 1 if the sender of s, the first segment of a connection, is the client. */
int tc_machine_sender_is_client(const struct tc_segment *s);

void tc_machine_init(struct tc_cx *cx, const struct tc_segment *s, int d);
/* Runs the state machine for segment s sent by side d. */
void tc_machine_step(struct tc_tracker *tr, struct tc_cx *cx,
		     const struct tc_segment *s, int d, uint64_t *labels);
/* 1 if s (sent by side d) is a SYN that begins a new incarnation. */
int tc_machine_is_reuse(const struct tc_cx *cx, const struct tc_segment *s,
			int d);
/* Fires TIME-WAIT -> CLOSED for sides whose 2*MSL ended by `now`. */
void tc_machine_timers(struct tc_tracker *tr, struct tc_cx *cx, int64_t now);
/* Fills close and handshake of a connection being finished. */
void tc_machine_conclude(struct tc_cx *cx, int64_t now);
/* 1 if both sides are done (CLOSED or TIME-WAIT). */
int tc_machine_over(const struct tc_cx *cx);

/* ---- analysis.c --------------------------------------------------------- */

void tc_an_init(struct tc_cx *cx);
/* Labels segment s sent by side d and updates the per-direction figures.
 * Runs before the state machine. */
void tc_an_segment(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d, uint64_t *labels);

/* The RFC 6298 retransmission timeout of side d's data: 1 s before any
 * RTT sample (RFC 6298 2.1), then SRTT + max(G, 4 RTTVAR) with G = 1 ms,
 * within Linux's bounds [200 ms, 120 s]. *known (when given) is 1 once a
 * sample was taken. */
int64_t tc_an_rto(const struct tc_cx *cx, int d, int *known);

/* 1 when the handshake's two legs put the capture point at side's end
 * (its own leg a quarter of the round trip or less), as the database's
 * vantage column does; 0 without both legs. */
int tc_an_near(const struct tc_cx *cx, int side);

/* ---- cc.c: the data-transfer phase -------------------------------------- */

/* The congestion-state rules: id, name, whose segment fires it (S the
 * direction's sender, R its receiver), from, to, trigger. cc.c turns it
 * into tc_cc_rules[] and names rows by TC_CCR_<id>. */
#define TC_CC_RULE_LIST(X)                                                    \
	X(DUPACK, "dupack", R, OPEN, DISORDER,                                \
	  "repeats its ACK (dup-ack) or SACKs data above it while data is "   \
	  "outstanding; that ACK shows no loss (under 3 segments SACKed, "    \
	  "none sent RTT/4 after the hole)")                                  \
	X(DISORDER_END, "disorder-end", R, DISORDER, OPEN,                    \
	  "its ACK advances with no SACK block above it and is no dup-ack")   \
	X(FAST_RETRANSMIT, "fast-retransmit", S, DISORDER, RECOVERY,          \
	  "retransmits, sooner than a timeout, after duplicate ACKs or SACK") \
	X(OPEN_FAST_RETRANSMIT, "open-fast-retransmit", S, OPEN, RECOVERY,    \
	  "retransmits, sooner than a timeout, after a first SACK that "      \
	  "showed the loss (3 segments, or one sent RTT/4 after the hole), "  \
	  "or with no dup-ack captured")                                      \
	X(CWR_RETRANSMIT, "cwr-retransmit", S, CWR, RECOVERY,                 \
	  "retransmits, sooner than a timeout, while reducing for ECN")       \
	X(TIMEOUT, "timeout", S, ANY, LOSS,                                   \
	  "retransmits after waiting 3/4 of the RTO estimate or more since "  \
	  "its timer last started (retransmission timeout)")                  \
	X(ECN_CWR, "ecn-cwr", S, OPEN, CWR,                                   \
	  "sends data with CWR set: it reduced its window for an ECN echo")   \
	X(DISORDER_CWR, "disorder-cwr", S, DISORDER, CWR,                     \
	  "sends data with CWR set after duplicate ACKs or SACK")             \
	X(RECOVERY_END, "recovery-end", R, RECOVERY, OPEN,                    \
	  "its ACK reaches the recovery point (the highest byte sent when "   \
	  "recovery began)")                                                  \
	X(LOSS_END, "loss-end", R, LOSS, OPEN,                                \
	  "its ACK reaches the recovery point of the timeout")                \
	X(CWR_END, "cwr-end", R, CWR, OPEN,                                   \
	  "its ACK reaches the highest byte sent when CWR began")              \
	X(SACK_RECOVERY, "sack-recovery", R, OPEN, RECOVERY,                  \
	  "the ACK that ended Recovery or Loss SACKs data above it: the "     \
	  "sender enters Recovery again at once (recovery point: what it "    \
	  "had sent when the ACK reached it)")                                \
	X(IPID_STALL, "ipid-stall", S, ANY, LOSS,                             \
	  "sends again 3/4 RTO or more after the flight emptied here, its "   \
	  "IP ID skipping packets never captured nor acked: stalled by loss " \
	  "before the capture point")

enum tc_cc_rule_id {
#define TC_X(id, name, by, from, to, ev) TC_CCR_##id,
	TC_CC_RULE_LIST(TC_X)
#undef TC_X
	TC_CCR__COUNT
};

/* Packets side d sent before segment s that the capture never saw, by its
 * IP IDs: 0 unless they rose by one a packet over its last `run` steps
 * at least (cc.c keeps the count; a segment larger than the MSS went out
 * as several). Read before tc_cc_segment() takes s. */
unsigned tc_cc_ipid_unseen(const struct tc_cx *cx, const struct tc_segment *s,
			   int d, unsigned run);

/* Accounts segment s, sent by side d, to both directions' transfer
 * phase: runs after tc_an_segment(), whose labels it reads. */
void tc_cc_segment(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d, uint64_t labels);
/* Derives the shares, the verdict and its evidence of both directions
 * into c.dir[].xfer as of c.last_ts; changes nothing else, so it may run
 * again later. */
void tc_cc_conclude(struct tc_cx *cx);

/* ---- zeek.c ------------------------------------------------------------- */

/* Decides Zeek's orientation for a connection whose first segment is s,
 * sent by side d; records '^' when Zeek would flip. */
void tc_zeek_init(struct tc_cx *cx, const struct tc_segment *s, int d);
void tc_zeek_segment(struct tc_cx *cx, const struct tc_segment *s, int d);
/* Writes conn_state and terminates history. */
void tc_zeek_conclude(struct tc_cx *cx);

#endif /* TCPCORE_INTERNAL_H */
