#!/usr/bin/env python3
"""mkseeds.py - writes the hand-made seed inputs of the fuzz harnesses.

    python3 tests/fuzz/mkseeds.py            (from the top of the tree)

corpus_tracker/: scenarios in the record format of fuzz_tracker.c.
corpus_pcapng/:  small pcapng files built here field by field (byte orders,
                 block kinds, timestamp options, damage), for fuzz_pcapng.c.
corpus_capture/ takes the project's own pcaps/ files instead (see
tests/fuzz/README.md). The output is deterministic; rerun it after changing
a format, and review the diff like any change of expectations.
"""
import os
import struct

TOP = os.path.dirname(os.path.abspath(__file__))
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def rec(who, flags, dt=1, dseq=0, dack=0, ln=0, win=255, opts=0, param=0,
        ttl=64):
    return struct.pack(">BBBhhBBBBB", who, flags, dt, dseq, dack, ln, win,
                       opts, param, ttl)


C, S = 0, 4  # who: client to server, server to client (flow 0)


def conv(f=0):
    """A whole conversation on flow bits f: handshake, data, FIN close."""
    c, s = C | f, S | f
    return [
        rec(c, SYN, dseq=0, opts=0x17, param=7),
        rec(s, SYN | ACK, dseq=0, dack=1, opts=0x17, param=7),
        rec(c, ACK, dseq=1, dack=1),
        rec(c, PSH | ACK, dseq=1, dack=1, ln=10),
        rec(s, ACK, dseq=1, dack=11),
        rec(s, PSH | ACK, dseq=1, dack=11, ln=20),
        rec(c, ACK, dseq=11, dack=21),
        rec(c, FIN | ACK, dseq=11, dack=21),
        rec(s, FIN | ACK, dseq=21, dack=12),
        rec(c, ACK, dseq=12, dack=22),
    ]


def seeds():
    out = {}
    out["close-fin"] = bytes([3, 0]) + b"".join(conv())
    out["refused"] = bytes([3, 0]) + rec(C, SYN) + rec(S, RST | ACK, dack=1)
    out["unanswered"] = bytes([3, 0]) + rec(C, SYN) + rec(C, SYN, dt=200) + \
        rec(C, SYN, dt=250)
    h = conv()[:4]
    out["reset"] = bytes([3, 0]) + b"".join(h) + \
        rec(S, RST, dseq=1) + rec(C, PSH | ACK, dseq=11, dack=1, ln=5)
    out["simultaneous-open"] = bytes([3, 0]) + rec(C, SYN) + rec(S, SYN) + \
        rec(C, SYN | ACK, dack=1) + rec(S, SYN | ACK, dack=1) + \
        rec(C, ACK, dseq=1, dack=1) + rec(S, ACK, dseq=1, dack=1)
    a, b = conv(0), conv(1 | 0x20)
    mix = [x for pair in zip(a, b) for x in pair]
    out["two-flows"] = bytes([3, 0]) + b"".join(mix)
    out["evict"] = bytes([0, 0]) + b"".join(mix)
    out["idle-timeout"] = bytes([0x07, 0]) + b"".join(h) + \
        rec(C | 2, SYN) + rec(C, ACK, dt=254, dseq=11, dack=1)
    r = conv()
    out["retransmit-reorder"] = bytes([3, 0]) + b"".join(
        r[:4] + [r[3], rec(C, PSH | ACK, dseq=21, dack=1, ln=10),
                 rec(C, PSH | ACK, dseq=11, dack=1, ln=10),
                 rec(S, ACK, dseq=1, dack=11, opts=0x08, param=1),
                 rec(S, ACK, dseq=1, dack=11), rec(S, ACK, dseq=1, dack=11)]
        + r[4:])
    out["port-reuse"] = bytes([0x0b, 0]) + b"".join(conv()) + \
        rec(C, SYN, dt=254, dseq=5000) + \
        rec(S, SYN | ACK, dseq=9000, dack=5001) + \
        rec(C, ACK, dseq=5001, dack=9001)
    out["midstream"] = bytes([3, 0]) + \
        rec(C, PSH | ACK, dseq=100, dack=200, ln=50) + \
        rec(S, ACK, dseq=200, dack=150, win=0) + \
        rec(C, ACK, dseq=150, dack=200, ln=1) + \
        rec(S, ACK, dseq=200, dack=150, win=40)
    out["time-back-ipv6-vlan"] = bytes([0x13, 0]) + b"".join(
        rec(x[0] | 0x18, *struct.unpack(">BBhhBBBBB", x[1:]))
        for x in conv()[:6]) + rec(C | 0x18, ACK, dt=255, dseq=11, dack=21)
    # The 6th allocation fails (a connection record); from the 6th on.
    out["alloc-fail"] = bytes([0x43, 6]) + b"".join(mix)
    out["alloc-fail-all"] = bytes([0xc3, 6]) + b"".join(mix)
    out["small-queue"] = bytes([0x23, 0]) + b"".join(conv())
    return out


# ---- pcapng --------------------------------------------------------------

def blk(t, body, be=False):
    e = ">" if be else "<"
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", t, n) + body + struct.pack(e + "I", n)


def shb(be=False):
    e = ">" if be else "<"
    return blk(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), be)


def opt(code, val, be=False):
    e = ">" if be else "<"
    return struct.pack(e + "HH", code, len(val)) + val + \
        b"\0" * (-len(val) % 4)


def idb(lt, snap=65535, opts=b"", be=False):
    e = ">" if be else "<"
    if opts:
        opts += struct.pack(e + "HH", 0, 0)
    return blk(1, struct.pack(e + "HHI", lt, 0, snap) + opts, be)


def epb(ifid, ts, data, wire=None, be=False):
    e = ">" if be else "<"
    return blk(6, struct.pack(e + "IIIII", ifid, ts >> 32, ts & 0xffffffff,
                              len(data), wire or len(data)) + data, be)


def spb(data, be=False):
    e = ">" if be else "<"
    return blk(3, struct.pack(e + "I", len(data)) + data, be)


def frame_raw_syn():
    ip = bytes.fromhex("450000280001000040060000c0a80001c0a80002")
    tcp = bytes.fromhex("9c400050000000010000000050022000" "00000000")
    return ip + tcp


def frame_eth():
    return bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + \
        frame_raw_syn()


def pcapng_seeds():
    out = {}
    out["eth-le"] = shb() + idb(1) + epb(0, 1700000000000000, frame_eth())
    out["eth-be"] = shb(True) + idb(1, be=True) + \
        epb(0, 1700000000000000, frame_eth(), be=True)
    out["mixed-links"] = shb() + idb(1) + idb(101) + \
        epb(0, 1, frame_eth()) + epb(1, 2, frame_raw_syn())
    out["tsresol-ns-offset"] = shb() + idb(
        101, opts=opt(9, bytes([9])) + opt(14, struct.pack("<q", 5))) + \
        epb(0, 1700000000123456789, frame_raw_syn())
    out["tsresol-pow2"] = shb() + idb(101, opts=opt(9, bytes([0x94]))) + \
        epb(0, 1 << 40, frame_raw_syn())
    out["simple-packet"] = shb() + idb(1, snap=40) + spb(frame_eth())
    out["two-sections"] = shb() + idb(1) + epb(0, 1, frame_eth()) + \
        shb(True) + idb(101, be=True) + epb(0, 2, frame_raw_syn(), be=True)
    out["skipped-blocks"] = shb() + blk(5, b"stats") + idb(1) + \
        blk(4, b"names") + epb(0, 1, frame_eth())
    out["snapped"] = shb() + idb(1) + epb(0, 1, frame_eth()[:30], wire=60)
    whole = shb() + idb(1) + epb(0, 1, frame_eth())
    out["truncated"] = whole[:-7]
    bad = bytearray(whole)
    bad[-1] ^= 1
    out["bad-trailer"] = bytes(bad)
    out["bad-ifid"] = shb() + idb(1) + epb(3, 1, frame_eth())
    # Security review F1: stamps past the int64 ns range, each way.
    out["ts-tsresol0-2p40"] = shb() + idb(1, opts=opt(9, bytes([0]))) + \
        epb(0, 1 << 40, frame_eth())
    out["ts-tsresol-pow2-63"] = shb() + idb(1, opts=opt(9, bytes([0xbf]))) + \
        epb(0, (1 << 64) - 1, frame_eth())
    out["ts-tsresol-19"] = shb() + idb(101, opts=opt(9, bytes([19]))) + \
        epb(0, (1 << 64) - 1, frame_raw_syn())
    out["ts-offset-max"] = shb() + idb(
        1, opts=opt(9, bytes([0])) + opt(14, struct.pack("<q", (1 << 63) - 1))) + \
        epb(0, 1 << 63, frame_eth())
    out["ts-offset-min-mixed"] = shb() + idb(1) + idb(
        101, opts=opt(14, struct.pack("<q", -(1 << 63)))) + \
        epb(0, 1, frame_eth()) + epb(1, 0, frame_raw_syn()) + \
        epb(1, (1 << 64) - 1, frame_raw_syn())
    return out


def write(d, files):
    os.makedirs(os.path.join(TOP, d), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(TOP, d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("corpus_tracker", seeds())
    write("corpus_pcapng", pcapng_seeds())
