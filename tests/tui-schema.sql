-- tcpscope database schema, version 1 (PRAGMA user_version = 1).
-- AGREED CONTRACT between the store (writer), the CLI reports and the TUI (readers).
-- The store helper implements it in analyzer/store.c; columns may be ADDED, never renamed.
-- Times are integer nanoseconds since the epoch (ts_ns). Addresses are text ("10.0.0.1", "2001:db8::1").
-- side: 0 = client, 1 = server. dir: 0 = client->server, 1 = server->client.
-- States are RFC 9293 spellings as text ('SYN-SENT', 'TIME-WAIT', ... 'UNKNOWN').

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);          -- 'tool_version', 'created'

CREATE TABLE captures (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL, size INTEGER, sha256 TEXT, linktypes TEXT, snaplen INTEGER,
  live INTEGER NOT NULL DEFAULT 0,
  first_ts INTEGER, last_ts INTEGER,
  packets INTEGER, tcp_segments INTEGER, non_tcp INTEGER, fragments INTEGER,
  malformed INTEGER, reasons TEXT,            -- "truncated-tcp-header=3,bad-ip-header-length=1"
  kernel_drops INTEGER, error TEXT,
  tool_version TEXT, started TEXT, finished TEXT,   -- ISO-8601 UTC wall clock of the import
  complete INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE connections (
  id INTEGER PRIMARY KEY,                      -- the flow id users see
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  tc_id INTEGER NOT NULL,                      -- tracker's id within the capture
  vlan TEXT,                                   -- "" or "100" or "100.200" (outer.inner)
  client_ip TEXT, client_port INTEGER, server_ip TEXT, server_port INTEGER,
  first_ts INTEGER, last_ts INTEGER, first_pkt INTEGER, last_pkt INTEGER,
  client_state TEXT, server_state TEXT,        -- final
  client_states TEXT, server_states TEXT,      -- path, e.g. "CLOSED SYN-SENT ESTABLISHED"; NULL if never observed
  close TEXT, handshake TEXT, midstream INTEGER, data_on_syn INTEGER, evicted INTEGER,
  conn_state TEXT, history TEXT,
  rtt_handshake_ns INTEGER, rtt_to_server_ns INTEGER, rtt_to_client_ns INTEGER,
  rtt_min_ns INTEGER, rtt_avg_ns INTEGER, rtt_max_ns INTEGER, rtt_stddev_ns INTEGER, rtt_samples INTEGER,
  -- per direction: c2s_* and s2c_* (same set for both):
  c2s_packets INTEGER, c2s_payload_bytes INTEGER, c2s_wire_bytes INTEGER, c2s_ip_bytes INTEGER,
  c2s_retransmissions INTEGER, c2s_syn_retransmissions INTEGER, c2s_fin_retransmissions INTEGER,
  c2s_fast_retransmissions INTEGER, c2s_spurious_retransmissions INTEGER, c2s_out_of_order INTEGER,
  c2s_lost_segments INTEGER, c2s_acked_unseen INTEGER, c2s_acked_unseen_bytes INTEGER, c2s_dup_acks INTEGER,
  c2s_zero_windows INTEGER, c2s_zero_window_probes INTEGER, c2s_window_full INTEGER,
  c2s_window_updates INTEGER, c2s_keepalives INTEGER, c2s_sack_segments INTEGER, c2s_dsack_segments INTEGER,
  c2s_mss INTEGER, c2s_wscale INTEGER, c2s_win_min INTEGER, c2s_win_max INTEGER,
  c2s_max_inflight INTEGER, c2s_max_idle_ns INTEGER,
  s2c_packets INTEGER, s2c_payload_bytes INTEGER, s2c_wire_bytes INTEGER, s2c_ip_bytes INTEGER,
  s2c_retransmissions INTEGER, s2c_syn_retransmissions INTEGER, s2c_fin_retransmissions INTEGER,
  s2c_fast_retransmissions INTEGER, s2c_spurious_retransmissions INTEGER, s2c_out_of_order INTEGER,
  s2c_lost_segments INTEGER, s2c_acked_unseen INTEGER, s2c_acked_unseen_bytes INTEGER, s2c_dup_acks INTEGER,
  s2c_zero_windows INTEGER, s2c_zero_window_probes INTEGER, s2c_window_full INTEGER,
  s2c_window_updates INTEGER, s2c_keepalives INTEGER, s2c_sack_segments INTEGER, s2c_dsack_segments INTEGER,
  s2c_mss INTEGER, s2c_wscale INTEGER, s2c_win_min INTEGER, s2c_win_max INTEGER,
  s2c_max_inflight INTEGER, s2c_max_idle_ns INTEGER
);
-- Mapping from struct tc_dir_stats.label[] to columns:
--   retransmissions=RETRANSMISSION, syn_retransmissions=SYN_RETRANSMISSION+SYNACK_RETRANSMISSION,
--   fin_retransmissions=FIN_RETRANSMISSION, fast_retransmissions=FAST_RETRANSMISSION,
--   spurious_retransmissions=SPURIOUS_RETRANSMISSION, out_of_order=OUT_OF_ORDER,
--   lost_segments=PREV_NOT_CAPTURED, acked_unseen=ACKED_UNSEEN, dup_acks=DUP_ACK,
--   zero_windows=ZERO_WINDOW, zero_window_probes=ZERO_WINDOW_PROBE, window_full=WINDOW_FULL,
--   window_updates=WINDOW_UPDATE, keepalives=KEEPALIVE, sack_segments=SACK, dsack_segments=DSACK.

CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  conn_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  ts_ns INTEGER, pkt INTEGER, side INTEGER, from_state TEXT, to_state TEXT,
  rule INTEGER, rule_name TEXT
);

CREATE TABLE events (                          -- every label/anomaly of a segment
  id INTEGER PRIMARY KEY,
  conn_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  ts_ns INTEGER, pkt INTEGER, dir INTEGER, label TEXT, reason TEXT,
  seq INTEGER, ack INTEGER, len INTEGER, win INTEGER,
  revised INTEGER NOT NULL DEFAULT 0, old_label TEXT
);

CREATE TABLE segments (                        -- only with --segments
  id INTEGER PRIMARY KEY,
  conn_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  ts_ns INTEGER, pkt INTEGER, dir INTEGER,
  flags TEXT,                                  -- "SA", "FA", "R", "PA" ... (letters S F R P A U E C)
  seq INTEGER, ack INTEGER, len INTEGER, caplen INTEGER, win INTEGER,
  options TEXT,                                -- "mss=1460,ws=7,sackok,ts=123/0"
  labels TEXT                                  -- "retransmission,dup-ack" or ""
);

CREATE INDEX conn_capture ON connections(capture_id);
CREATE INDEX conn_client ON connections(client_ip, client_port);
CREATE INDEX conn_server ON connections(server_ip, server_port);
CREATE INDEX trans_conn ON transitions(conn_id, ts_ns);
CREATE INDEX events_conn ON events(conn_id, ts_ns);
CREATE INDEX events_label ON events(label);
CREATE INDEX seg_conn ON segments(conn_id, pkt);

-- Views (names fixed): failed_handshakes (server_ip, server_port, close, n),
-- resets (connections with close='reset'), top_retransmitters, slow_handshakes.
