-- A hand-written database for the @FIX@ golden tests of tests/t_cli.sh.
-- It is written in the shape of schema version 2 into a database the store
-- created at that version, which the store's own migration then brings to
-- the current version (tests/t_cli.sh). Capture 1 is what importing an
-- empty capture (a pcap header only) writes. Unlike the
-- captures, these rows do not change when the tracker changes: the @FIX@
-- outputs test only the report commands' formatting and arithmetic.
--
-- Capture 2: complete, malformed packets. Capture 3: an import that did not
-- finish (its connections must stay hidden).
INSERT INTO captures (id, path, size, sha256, linktypes, snaplen, live,
  first_ts, last_ts, packets, tcp_segments, non_tcp, fragments, malformed,
  reasons, kernel_drops, error, complete)
VALUES (1, 'empty.pcap', 24, NULL, 'EN10MB', 65535, 0, NULL, NULL, 0, 0, 0,
  0, 0, '', 0, NULL, 1);
INSERT INTO captures (id, path, size, sha256, linktypes, snaplen, live,
  first_ts, last_ts, packets, tcp_segments, non_tcp, fragments, malformed,
  reasons, kernel_drops, error, complete)
VALUES
  (2, 'fixture "a".pcap', 1000, NULL, 'EN10MB', 65535, 0,
   1600000000000000000, 1600000030000000000, 40, 36, 2, 1, 3,
   'truncated-tcp-header=2,bad-ip-header-length=1', 5, NULL, 1),
  (3, 'fixture-b.pcap', 10, NULL, 'EN10MB', 65535, 0,
   1600000000000000000, 1600000001000000000, 1, 1, 0, 0, 0, '', 0,
   'interrupted', 0);

-- 10: a whole IPv4 connection in VLAN 100.200, with a zero window of 1.95 s,
-- a retransmission (first labelled out-of-order, then revised) and every
-- segment stored.
-- 11: IPv6, refused.
-- 12: picked up midstream, evicted, the server never seen, a timer
-- transition (pkt 0), no segments stored.
-- 13: unanswered, in the unfinished capture 3.
INSERT INTO connections (id, capture_id, tc_id, vlan, client_ip, client_port,
  server_ip, server_port, first_ts, last_ts, first_pkt, last_pkt,
  client_state, server_state, client_states, server_states, close, handshake,
  midstream, data_on_syn, evicted, conn_state, history,
  rtt_handshake_ns, rtt_min_ns, rtt_avg_ns, rtt_max_ns,
  c2s_packets, c2s_payload_bytes, c2s_wire_bytes, c2s_ip_bytes,
  c2s_retransmissions, c2s_acked_unseen, c2s_acked_unseen_bytes, c2s_mss, c2s_wscale,
  c2s_win_min, c2s_win_max, c2s_max_inflight, c2s_max_idle_ns,
  s2c_packets, s2c_payload_bytes, s2c_wire_bytes, s2c_ip_bytes,
  s2c_retransmissions, s2c_zero_windows, s2c_window_updates, s2c_acked_unseen,
  s2c_acked_unseen_bytes, s2c_mss, s2c_wscale)
VALUES
  (10, 2, 1, '100.200', '10.0.0.1', 40000, '10.0.0.2', 80,
   1600000000000000000, 1600000002500000000, 1, 9,
   'TIME-WAIT', 'CLOSED',
   'CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT',
   'LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED',
   'fin', '3way', 0, 0, 0, 'SF', 'ShADadtwFf',
   12500000, 10000000, 11000000, 12500000,
   5, 2000, 3000, 2260, 1, 0, 0, 1460, 7, 64000, 65535, 2000, 1500000000,
   4, 300, 300, 460, 0, 1, 1, 1, 1000, 1400, -1),
  (11, 2, 2, '', '2001:db8::1', 50000, '2001:db8::2', 443,
   1600000010000000000, 1600000010000200000, 10, 11,
   'CLOSED', 'LISTEN', 'CLOSED SYN-SENT CLOSED', 'LISTEN',
   'refused', 'refused', 0, 0, 0, 'REJ', 'Sr', NULL, NULL, NULL, NULL,
   1, 0, 0, 80, 0, 0, 0, 1440, 7, 64800, 64800, 0, 0,
   1, 0, 0, 60, 0, 0, 0, 0, 0, 0, -1),
  (12, 2, 3, '', '10.0.0.3', 1234, '10.0.0.4', 22,
   1600000020000000000, 1600000030000000000, 12, 20,
   'CLOSED', 'UNKNOWN', 'ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED', NULL,
   'timeout', 'none', 1, 0, 1, 'OTH', 'DF', NULL, NULL, NULL, NULL,
   3, 100, 100, 220, 0, 2, 500, 0, -1, 0, 0, 0, 0,
   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1),
  (13, 3, 1, '', '10.0.0.5', 1000, '10.0.0.6', 25,
   1600000000000000000, 1600000001000000000, 1, 1,
   'SYN-SENT', 'LISTEN', 'CLOSED SYN-SENT', 'LISTEN',
   'unanswered', 'syn-only', 0, 0, 0, 'S0', 'S', NULL, NULL, NULL, NULL,
   1, 0, 0, 60, 0, 0, 0, 1460, 7, 64240, 64240, 0, 0,
   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1);

INSERT INTO transitions (conn_id, ts_ns, pkt, side, from_state, to_state, rule, rule_name)
VALUES
  (10, 1600000000000000000, 1, 0, 'CLOSED', 'SYN-SENT', 0, 'active-open'),
  (10, 1600000000012000000, 2, 1, 'LISTEN', 'SYN-RECEIVED', 1, 'passive-syn-ack'),
  (10, 1600000000012500000, 3, 0, 'SYN-SENT', 'ESTABLISHED', 3, 'syn-sent-ack'),
  (10, 1600000000012500000, 3, 1, 'SYN-RECEIVED', 'ESTABLISHED', 5, 'syn-received-acked'),
  (10, 1600000002400000000, 7, 0, 'ESTABLISHED', 'FIN-WAIT-1', 6, 'close-established'),
  (10, 1600000002450000000, 8, 1, 'ESTABLISHED', 'CLOSE-WAIT', 9, 'fin-received'),
  (10, 1600000002450000000, 8, 1, 'CLOSE-WAIT', 'LAST-ACK', 8, 'close-passive'),
  (10, 1600000002450000000, 8, 0, 'FIN-WAIT-1', 'FIN-WAIT-2', 10, 'fin-wait-1-acked'),
  (10, 1600000002500000000, 9, 0, 'FIN-WAIT-2', 'TIME-WAIT', 14, 'fin-wait-2-fin'),
  (10, 1600000002500000000, 9, 1, 'LAST-ACK', 'CLOSED', 15, 'last-ack-acked'),
  (11, 1600000010000000000, 10, 0, 'CLOSED', 'SYN-SENT', 0, 'active-open'),
  (11, 1600000010000200000, 11, 0, 'SYN-SENT', 'CLOSED', 19, 'rst-refused'),
  (12, 1600000025000000000, 15, 0, 'ESTABLISHED', 'FIN-WAIT-1', 6, 'close-established'),
  (12, 1600000025000000000, 16, 0, 'FIN-WAIT-1', 'FIN-WAIT-2', 10, 'fin-wait-1-acked'),
  (12, 1600000026000000000, 20, 0, 'FIN-WAIT-2', 'TIME-WAIT', 14, 'fin-wait-2-fin'),
  (12, 1600000030000000000, 0, 0, 'TIME-WAIT', 'CLOSED', 30, 'time-wait-expired'),
  (13, 1600000000000000000, 1, 0, 'CLOSED', 'SYN-SENT', 0, 'active-open');

INSERT INTO events (conn_id, ts_ns, pkt, dir, label, reason, seq, ack, len, win, revised, old_label)
VALUES
  (10, 1600000000500000000, 5, 1, 'zero-window', 'advertised window is zero', 2000000301, 1000002001, 0, 0, 0, NULL),
  (10, 1600000001000000000, 6, 0, 'out-of-order', 'seq below the highest', 1000001001, 2000000301, 1000, 65535, 0, NULL),
  (10, 1600000001000000000, 6, 0, 'retransmission', 'seen before', 1000001001, 2000000301, 1000, 65535, 1, 'out-of-order'),
  (10, 1600000002450000000, 8, 1, 'window-update', 'window opened', 2000000301, 1000002002, 0, 1400, 0, NULL),
  (12, 1600000021000000000, 13, 0, 'acked-unseen', 'ACK for data never seen', 3000000000, 4000000500, 0, 500, 0, NULL),
  (12, 1600000022000000000, 14, 0, 'acked-unseen', 'ACK for data never seen', 3000000000, 4000001000, 0, 500, 0, NULL);

INSERT INTO segments (conn_id, ts_ns, pkt, dir, flags, seq, ack, len, caplen, win, options, labels)
VALUES
  (10, 1600000000000000000, 1, 0, 'S', 1000000000, 0, 0, 0, 64000, 'mss=1460,ws=7,sackok,ts=100/0', ''),
  (10, 1600000000012000000, 2, 1, 'SA', 2000000000, 1000000001, 0, 0, 65535, 'mss=1400,sackok,ts=900/100', ''),
  (10, 1600000000012500000, 3, 0, 'A', 1000000001, 2000000001, 0, 0, 500, '', ''),
  (10, 1600000000100000000, 4, 0, 'PA', 1000000001, 2000000001, 1000, 1000, 500, '', ''),
  (10, 1600000000500000000, 5, 1, 'PA', 2000000001, 1000001001, 300, 300, 0, '', 'zero-window'),
  (10, 1600000001000000000, 6, 0, 'PA', 1000001001, 2000000301, 1000, 1000, 500, '', 'retransmission'),
  (10, 1600000002400000000, 7, 0, 'FA', 1000002001, 2000000301, 0, 0, 500, '', ''),
  (10, 1600000002450000000, 8, 1, 'FA', 2000000301, 1000002002, 0, 0, 1400, '', ''),
  (10, 1600000002500000000, 9, 0, 'A', 1000002002, 2000000302, 0, 0, 500, '', '');
