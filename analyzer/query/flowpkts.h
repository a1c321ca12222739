/*
 * flowpkts.h - one connection's packets, read again from the capture it
 * was imported from (for `extract` and the full ladder of `timeline`).
 *
 * The database keeps the packets' numbers, not the packets: the original
 * file (captures.path, or the file the user names) is read again through
 * capture.c. When the capture was imported with --segments, the stored
 * segments give the exact packet numbers, and exactly those are handed
 * out. Otherwise records outside [first_pkt, last_pkt] are skipped, and
 * every record in between is decoded with dec_frame() and handed out when
 * its VLAN tags, addresses and ports are the connection's, either way
 * round (no BPF: it would not see through every encapsulation the decoder
 * handles). Reading stops at last_pkt, so damage after the connection's
 * last packet does not matter.
 *
 * The file read must be the one imported: flowpkts_check() compares its
 * size, and its SHA-256 when the import computed one; the file the import
 * read, unchanged since (captures.file_id: same inode, size, mtime and
 * ctime), is not hashed again. Reading starts at the capture's last seek
 * point (captures.seek_index, a classic pcap file) before the first
 * packet wanted, not at the start of the file.
 *
 * Errors are EX_* codes (status.h) with a one-line message in err.
 */
#ifndef FLOWPKTS_H
#define FLOWPKTS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "../../tcpcore/tcpcore.h"
#include "../capture/capture.h"

struct flowpkts {
	int64_t id, capture_id;
	struct tc_addr addr[2]; /* client, server */
	uint16_t port[2];
	char ident[48];    /* "VLAN/TUNNEL" as connections.vlan and .tunnel */
	int64_t first_pkt, last_pkt;
	char path[4096];   /* the file to read */
	char stored[4096]; /* captures.path, as imported */
	char sha256[65];   /* of the capture, "" unknown */
	int64_t size;      /* -1 unknown */
	int live;
	int64_t *pkts;     /* exact packet numbers, ascending; NULL: match */
	size_t npkts;
	char file_id[96];  /* captures.file_id, "" unknown */
	char *seek;        /* captures.seek_index (allocated), or NULL */
	char **parts;      /* a series' parts (capture_parts; allocated),
			    * read as one capture; NULL for one file */
	int nparts;
	const char *filter; /* a BPF expression the packets must pass too
			     * (the caller's, set after flowpkts_load(): the
			     * one the capture was analyzed with), or NULL */
};

/* Fills *f for connection id of db: its key and its capture (path is the
 * capture's, or capture when not NULL); with exact, also the packet
 * numbers its stored segments list, if any. Free with flowpkts_free(). */
int flowpkts_load(sqlite3 *db, int64_t id, const char *capture, int exact,
		  struct flowpkts *f, char *err, size_t errlen);
void flowpkts_free(struct flowpkts *f);

/* Checks that f->path can be read again and is the capture imported
 * (size, SHA-256). named: the user gave the path (the message then does
 * not suggest --capture). */
int flowpkts_check(const struct flowpkts *f, int named, char *err,
		   size_t errlen);

/* Calls fn for every packet of the nf connections f[] (nf >= 1, all of
 * one capture, read from f[0].path) in capture order, with the record and
 * its decoding (seg is NULL for a listed packet that does not decode as
 * TCP). One connection with stored segments gets exactly its listed
 * packets; otherwise a packet belongs to a connection when it matches its
 * key within its [first_pkt, last_pkt] (through a hash of the keys, so
 * thousands of connections cost one lookup per packet). dir is the
 * packet's direction in its connection: 0 from the client, 1 from the
 * server. fn returns 0 to go on, else an EX_* code that stops the reading
 * and is returned (with err set by fn). *n counts the packets handed out.
 * With f[0].filter, only the records that pass it are considered (their
 * numbers stay the file's). */
int flowpkts_each(const struct flowpkts *f, size_t nf,
		  int (*fn)(void *arg, const struct cap_packet *p,
			    const struct tc_segment *seg, int dir),
		  void *arg, uint64_t *n, char *err, size_t errlen);

#endif /* FLOWPKTS_H */
