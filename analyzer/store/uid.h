/*
 * uid.h - connection uids (prefix uid_).
 *
 * A connection's uid has Zeek's shape: "C" and 17 base62 digits. It is a
 * hash of the capture's key and two numbers of the connection: the
 * tracker's number for it (tc_id) and its first packet's time. The key is
 * made before any connection is written, from what names the capture: the
 * sensor it was taken on (read/live --sensor; none by default) and the
 * capture's first packet (its time and its bytes). So a uid stays the same
 * when the capture is imported again (--replace, another database, a
 * merge, the Parquet dataset), where a connection id changes; two sensors
 * that capture the same traffic give it different uids.
 *
 * Databases of schema version 10 and older had no stored uid: their views
 * computed one from the capture's sha256 (or its path when it had none).
 * uid_format_v10() is that computation; the upgrade to version 11 fills
 * the rows it upgrades with it, so the uids a user already saw stay.
 *
 * Pure functions, no state.
 */
#ifndef UID_UID_H
#define UID_UID_H

#include <stddef.h>
#include <stdint.h>

#define UID_LEN 18	     /* characters, without the terminating NUL */
#define UID_FIRST_BYTES 256 /* of the first packet that go into the key */

/* The key of a capture's uids: sensor (NULL or "" for none), then the
 * first packet's time and up to UID_FIRST_BYTES of its captured bytes. */
uint64_t uid_capture_key(const char *sensor, int64_t ts_ns,
			 const uint8_t *data, size_t len);

/* The uid of connection tc_id of the capture with this key. */
void uid_format(char out[UID_LEN + 1], uint64_t key, int64_t tc_id,
		int64_t first_ts);

/* The uid version 10 showed: of capture (its sha256, else its path). */
void uid_format_v10(char out[UID_LEN + 1], const char *capture,
		    int64_t tc_id, int64_t first_ts);

#endif /* UID_UID_H */
