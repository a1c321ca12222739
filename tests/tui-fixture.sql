-- tui-fixture.sql - known rows for tests/t_tui.sh (with the sqlite3 CLI)
-- and tests/test_ui.c, in the shape of schema version 2, loaded into a
-- database the store created at that version; the store's own migration
-- then brings it to the current one.
-- Flow 1: a full HTTP-like connection with segments (client closes first).
-- Flow 2: a reset connection with no segments (transitions and events).
INSERT INTO captures (id, path, live, first_ts, last_ts, packets, tcp_segments, complete)
VALUES (1, 'fixture.pcap', 0, 1700000000000000000, 1700000000500000000, 13, 13, 1);

INSERT INTO connections (id, capture_id, tc_id, vlan, client_ip, client_port,
  server_ip, server_port, first_ts, last_ts, first_pkt, last_pkt,
  client_state, server_state, client_states, server_states, close, handshake,
  midstream, data_on_syn, evicted, conn_state, history, rtt_handshake_ns,
  rtt_min_ns, rtt_avg_ns, rtt_max_ns, c2s_packets, s2c_packets,
  c2s_payload_bytes, s2c_payload_bytes, c2s_retransmissions, s2c_retransmissions)
VALUES
 (1, 1, 1, '', '10.0.0.1', 43210, '10.0.0.2', 80,
  1700000000000000000, 1700000000300000000, 1, 10,
  'TIME-WAIT', 'CLOSED',
  'CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT',
  'LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED',
  'fin', '3way', 0, 0, 0, 'SF', 'ShADadFf', 20000000, 20000000, 21000000,
  22000000, 6, 4, 100, 1000, 1, 0),
 (2, 1, 2, '', '10.0.0.3', 5555, '10.0.0.2', 22,
  1700000000400000000, 1700000000500000000, 11, 13,
  'CLOSED', 'CLOSED', 'CLOSED SYN-SENT ESTABLISHED CLOSED',
  'LISTEN SYN-RECEIVED ESTABLISHED CLOSED',
  'reset', '3way', 0, 0, 0, 'RSTO', 'ShAR', 5000000, NULL, NULL, NULL,
  2, 1, 0, 0, 0, 0);

-- Flow 1, as `read --segments` stores it (raw sequence numbers).
INSERT INTO segments (conn_id, ts_ns, pkt, dir, flags, seq, ack, len, caplen, win, options, labels) VALUES
 (1, 1700000000000000000, 1, 0, 'S',  1000, 0,    0,   0,   64240, 'mss=1460,ws=7,sackok', ''),
 (1, 1700000000010000000, 2, 1, 'SA', 5000, 1001, 0,   0,   65160, 'mss=1460,ws=7,sackok', ''),
 (1, 1700000000020000000, 3, 0, 'A',  1001, 5001, 0,   0,   502,   '', ''),
 (1, 1700000000030000000, 4, 0, 'PA', 1001, 5001, 100, 100, 502,   '', ''),
 (1, 1700000000130000000, 5, 0, 'PA', 1001, 5001, 100, 100, 502,   '', 'retransmission'),
 (1, 1700000000140000000, 6, 1, 'PA', 5001, 1101, 1000, 1000, 509, '', ''),
 (1, 1700000000150000000, 7, 0, 'FA', 1101, 6001, 0,   0,   502,   '', ''),
 (1, 1700000000160000000, 8, 1, 'A',  6001, 1102, 0,   0,   509,   '', ''),
 (1, 1700000000170000000, 9, 1, 'FA', 6001, 1102, 0,   0,   509,   '', ''),
 (1, 1700000000180000000, 10, 0, 'A', 1102, 6002, 0,   0,   502,   '', '');
INSERT INTO transitions (conn_id, ts_ns, pkt, side, from_state, to_state, rule, rule_name) VALUES
 (1, 1700000000000000000, 1, 0, 'CLOSED', 'SYN-SENT', 1, 'syn-sent'),
 (1, 1700000000000000000, 1, 1, 'LISTEN', 'SYN-RECEIVED', 2, 'syn-received'),
 (1, 1700000000010000000, 2, 0, 'SYN-SENT', 'ESTABLISHED', 3, 'established'),
 (1, 1700000000020000000, 3, 1, 'SYN-RECEIVED', 'ESTABLISHED', 4, 'established'),
 (1, 1700000000150000000, 7, 0, 'ESTABLISHED', 'FIN-WAIT-1', 5, 'fin-wait-1'),
 (1, 1700000000150000000, 7, 1, 'ESTABLISHED', 'CLOSE-WAIT', 6, 'close-wait'),
 (1, 1700000000160000000, 8, 0, 'FIN-WAIT-1', 'FIN-WAIT-2', 7, 'fin-wait-2'),
 (1, 1700000000170000000, 9, 1, 'CLOSE-WAIT', 'LAST-ACK', 8, 'last-ack'),
 (1, 1700000000170000000, 9, 0, 'FIN-WAIT-2', 'TIME-WAIT', 9, 'time-wait'),
 (1, 1700000000180000000, 10, 1, 'LAST-ACK', 'CLOSED', 10, 'closed');
INSERT INTO events (conn_id, ts_ns, pkt, dir, label, reason, seq, ack, len, win) VALUES
 (1, 1700000000130000000, 5, 0, 'retransmission', 'seen-before', 1001, 5001, 100, 502);

-- Flow 2: no segments; a dup-ack and an RST seen as events only.
INSERT INTO transitions (conn_id, ts_ns, pkt, side, from_state, to_state, rule, rule_name) VALUES
 (2, 1700000000400000000, 11, 0, 'CLOSED', 'SYN-SENT', 1, 'syn-sent'),
 (2, 1700000000400000000, 11, 1, 'LISTEN', 'SYN-RECEIVED', 2, 'syn-received'),
 (2, 1700000000410000000, 12, 0, 'SYN-SENT', 'ESTABLISHED', 3, 'established'),
 (2, 1700000000450000000, 13, 1, 'SYN-RECEIVED', 'ESTABLISHED', 4, 'established'),
 (2, 1700000000500000000, 14, 0, 'ESTABLISHED', 'CLOSED', 11, 'reset'),
 (2, 1700000000500000000, 14, 1, 'ESTABLISHED', 'CLOSED', 12, 'reset');
INSERT INTO events (conn_id, ts_ns, pkt, dir, label, reason, seq, ack, len, win) VALUES
 (2, 1700000000450000000, 13, 0, 'dup-ack', 'same-ack', 900, 201, 0, 1024),
 (2, 1700000000500000000, 14, 1, 'zero-window', 'win-0', 201, 900, 0, 0);
