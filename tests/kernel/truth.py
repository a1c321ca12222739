#!/usr/bin/env python3
"""truth.py - the kernel's truth for pcaps/kernel/ (see README.md there).

    python3 tests/kernel/truth.py DIR [SCENARIO...]

For each scenario reads DIR/NAME.raw.tar.gz (the tracefs trace, the two
forwarders' segment logs, TCP_INFO lines) and writes DIR/NAME.truth.jsonl,
one JSON object per connection incarnation, and the capture-loss copies
DIR/NAME.loss2.VANTAGE.pcap.gz (2 % of the frames deleted, seeded by the
name). Run by tests/kernel/record.sh after recording; runs again on the
committed raw files without root.
"""
import gzip, io, json, os, random, re, struct, sys, tarfile

CA, SA = "10.213.1.1", "10.213.1.2"
STATE = {"TCP_SYN_SENT": "SYN-SENT", "TCP_SYN_RECV": "SYN-RECEIVED",
         "TCP_ESTABLISHED": "ESTABLISHED", "TCP_FIN_WAIT1": "FIN-WAIT-1",
         "TCP_FIN_WAIT2": "FIN-WAIT-2", "TCP_CLOSE_WAIT": "CLOSE-WAIT",
         "TCP_CLOSING": "CLOSING", "TCP_LAST_ACK": "LAST-ACK",
         "TCP_TIME_WAIT": "TIME-WAIT", "TCP_CLOSE": "CLOSED",
         "TCP_LISTEN": "LISTEN"}
CONG = ["Open", "Disorder", "CWR", "Recovery", "Loss"]
# The cause of the data-transfer scenarios, fixed by construction.
VERDICT = {"xfer-slowread": ["receiver_window"], "xfer-bursts": ["application"],
           "xfer-loss": ["loss", "congestion"], "xfer-blackhole": ["loss"],
           "xfer-bloat": ["congestion"]}
LINE = re.compile(r"\s(\d+\.\d+): (\w+): (.*)$")


def kv(s):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", s))


def hostport(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def load(path):
    with tarfile.open(path) as t:
        return {m.name: t.extractfile(m).read().decode() for m in t.getmembers()}


def segs(text):
    """Forwarder segment log -> list of dicts."""
    out = []
    for l in text.splitlines():
        f = l.split()
        if len(f) < 10:
            continue
        out.append({"t": int(f[0]) / 1e9, "dir": f[1], "fate": f[2],
                    "sa": f[3], "sp": int(f[4]), "da": f[5], "dp": int(f[6]),
                    "seq": int(f[7]), "len": int(f[9]),
                    "flags": f[10] if len(f) > 10 else ""})
    return out


def cport_of(s):
    return s["sp"] if s["dir"] == "c2s" else s["dp"]


def scenario(d, name):
    raw = load(os.path.join(d, name + ".raw.tar.gz"))
    off = None
    ev = []
    for l in raw["trace.txt"].splitlines():
        m = LINE.search(l)
        if not m:
            continue
        t, e, rest = float(m.group(1)), m.group(2), m.group(3)
        if e == "tracing_mark_write":
            r = re.search(r"realtime_ns=(\d+)", rest)
            if r and off is None:
                off = int(r.group(1)) / 1e9 - t
            continue
        ev.append((t, e, kv(rest)))
    fa, fb = segs(raw["fwdA.seg"]), segs(raw["fwdB.seg"])

    # Connections: client port -> list of incarnations (port reuse), each
    # started by a client SYN with a new ISN at fwdA (which sees them all).
    incs = {}
    for s in fa:
        if s["dir"] == "c2s" and s["flags"] == "S":
            lst = incs.setdefault(s["sp"], [])
            if not lst or lst[-1]["isn"] != s["seq"]:
                lst.append({"isn": s["seq"], "t0": s["t"], "ev": [],
                            "segA": [], "segB": []})

    def inc_at(cp, t):
        lst = incs.get(cp)
        if not lst:
            return None
        best = None
        for x in lst:
            if x["t0"] <= t + 0.002:
                best = x
        return best

    for s in fa:
        x = inc_at(cport_of(s), s["t"])
        if x:
            x["segA"].append(s)
    for s in fb:
        x = inc_at(cport_of(s), s["t"])
        if x:
            x["segB"].append(s)
    tcpinfo = {}
    for l in raw.get("tcpinfo.txt", "").splitlines():
        f = l.split()
        if len(f) < 8 or f[0] != "tcpinfo":
            continue
        role, cp = f[1], int(f[3]) if f[1] == "client" else int(f[5])
        tcpinfo.setdefault((cp, role), []).append(kv(" ".join(f[6:])))
    for t, e, a in ev:
        if e in ("tcp_send_reset", "tcp_probe"):
            sh, sp = hostport(a.get("src", "?:0"))
            dh, dp = hostport(a.get("dest", "?:0"))
            a = dict(a, saddr=sh, sport=str(sp), daddr=dh, dport=str(dp))
        sp, dp = int(a.get("sport", 0)), int(a.get("dport", 0))
        if a.get("saddr") == CA and dp == 8080:
            side, cp = "client", sp
        elif a.get("saddr") == SA and sp in (8080, 8081) and dp:
            side, cp = "server", dp
        else:
            continue
        if e == "inet_sock_set_state" and a.get("newstate") == "TCP_SYN_SENT":
            # connect() of a bound port: it comes just before its SYN.
            x = next((y for y in incs.get(cp, []) if y["t0"] >= t - 0.002), None)
        else:
            x = inc_at(cp, t)
        if x:
            x["ev"].append((t, e, side, a))

    out = []
    for cp in sorted(incs):
        for n, x in enumerate(incs[cp]):
            out.append(truth_of(name, cp, n, x, off, tcpinfo))
    with open(os.path.join(d, name + ".truth.jsonl"), "w") as f:
        for o in sorted(out, key=lambda o: o["t0"]):
            f.write(json.dumps(o, sort_keys=True) + "\n")
    return len(out)


def crossed(x, dirn):
    """Per segment of direction dirn sent by its endpoint: crossed the
    middle point, crossed the far endpoint's point."""
    first, second = (x["segA"], x["segB"]) if dirn == "c2s" else (x["segB"], x["segA"])
    used = set()
    res = []
    for s in first:
        if s["dir"] != dirn or s["fate"] == "rel" or s["fate"] == "inj":
            continue
        mid = s["fate"] != "drop"
        far = False
        if mid:
            for i, u in enumerate(second):
                if i in used or u["dir"] != dirn or u["fate"] in ("rel", "inj"):
                    continue
                if (u["seq"], u["len"], u["flags"]) == (s["seq"], s["len"], s["flags"]) \
                        and u["t"] >= s["t"] - 0.001:
                    used.add(i)
                    far = u["fate"] != "drop"
                    break
        res.append((s, mid, far))
    return res


def truth_of(name, cp, n, x, off, tcpinfo):
    o = {"scenario": name, "client": "%s:%d" % (CA, cp), "server": "%s:8080" % SA,
         "incarnation": n, "t0": round(x["t0"] + (off or 0), 6)}
    # What each vantage saw of it at all.
    c2s, s2c = crossed(x, "c2s"), crossed(x, "s2c")
    o["visible"] = {"client": True,
                    "middle": any(m for _, m, _ in c2s) or any(m for _, m, _ in s2c),
                    "server": any(f for _, _, f in c2s) or bool(s2c)}
    # FINs that reached the other endpoint.
    fin_in = {"server": any(f and "F" in s["flags"] for s, _, f in c2s),
              "client": any(f and "F" in s["flags"] for s, _, f in s2c)}
    paths = {"client": None, "server": None}
    rst = {"client": {"sent": 0, "received": 0}, "server": {"sent": 0, "received": 0}}
    cong = {"client": ["Open"], "server": ["Open"]}  # a socket starts Open
    probe = {"client": {}, "server": {}}
    retx_ev = {"client": [], "server": []}
    synack_ev = 0
    for t, e, side, a in sorted(x["ev"], key=lambda v: v[0]):
        if e == "inet_sock_set_state":
            old, new = STATE.get(a["oldstate"]), STATE.get(a["newstate"])
            p = paths[side]
            if p is None:
                p = paths[side] = ["CLOSED", old] if old == "SYN-SENT" else [old]
            if new == "CLOSED" and p[-1] in ("FIN-WAIT-2", "CLOSING") and \
                    not rst[side]["received"]:
                # The kernel hands the connection to a timewait sock (no
                # trace event): TIME-WAIT once the peer's FIN got here.
                if p[-1] == "CLOSING" or fin_in[side]:
                    new = "TIME-WAIT"
                else:
                    continue
            if new == "CLOSED" and p[-1] == "SYN-SENT" and not rst[side]["received"]:
                continue  # connect() timed out: no segment shows it
            if new != p[-1]:
                p.append(new)
        elif e == "tcp_receive_reset":
            rst[side]["received"] += 1
        elif e == "tcp_send_reset":
            rst[side]["sent"] += 1
            if paths[side] is None and side == "server" and a.get("skaddr", "").strip("0") == "":
                paths[side] = ["CLOSED"]  # no socket: the RST of a refused SYN
        elif e == "tcp_retransmit_skb":
            if a.get("err", "0") == "0":
                retx_ev[side].append(t)
        elif e == "tcp_retransmit_synack":
            retx_ev["server"].append(t)
            synack_ev += 1
        elif e == "tcp_cong_state_set":
            st = CONG[int(a["cong_state"])] if int(a["cong_state"]) < 5 else a["cong_state"]
            if not cong[side] or cong[side][-1] != st:
                cong[side].append(st)
        elif e == "tcp_probe":
            pr = probe[side]
            pr["max_cwnd"] = max(pr.get("max_cwnd", 0), int(a["snd_cwnd"]))
            pr["last_ssthresh"] = int(a["ssthresh"])
            pr["max_srtt_us"] = max(pr.get("max_srtt_us", 0), int(a["srtt"]) >> 3)
            pr["samples"] = pr.get("samples", 0) + 1
    if paths["client"] is None:
        paths["client"] = ["CLOSED", "SYN-SENT"]  # SYNs left, nothing came back
    # A server that sent SYN-ACKs but never made a child: a request sock.
    if paths["server"] is None and any("S" in s["flags"] for s, _, _ in s2c):
        paths["server"] = ["LISTEN", "SYN-RECEIVED"]
    o["client_states"], o["server_states"] = paths["client"], paths["server"]
    # Re-sends: each kernel retransmit event joined with the first re-sent
    # segment of that direction at the first forwarder after it.
    retx = {}
    for dirn, side, segl in (("c2s", "client", c2s), ("s2c", "server", s2c)):
        hi, seen, resent = None, set(), []
        for s, mid, far in segl:
            end = s["seq"] + s["len"] + ("S" in s["flags"]) + ("F" in s["flags"])
            if s["len"] or "S" in s["flags"] or "F" in s["flags"]:
                if hi is not None and (s["seq"] - hi) % 2**32 >= 2**31 or \
                        (s["seq"], s["len"], s["flags"]) in seen:
                    resent.append([s, mid, far, False])
                seen.add((s["seq"], s["len"], s["flags"]))
            if hi is None or (end - hi) % 2**32 < 2**31:
                hi = end
        # Every re-sent frame at the first forwarder (which sees all the
        # sender sent) is a kernel re-send; tcp_retransmit_skb fires once
        # per skb, which may be several segments, so its events only
        # cross-check (each must precede a re-sent frame).
        unmatched, k = 0, 0
        for t in sorted(retx_ev[side]):
            while k < len(resent) and resent[k][0]["t"] < t - 0.001:
                k += 1
            if k == len(resent):
                unmatched += 1
        for r in resent:
            r[3] = True
        cnt, vis = {}, {}
        crossed_before = {"client": set(), "middle": set(), "server": set()}
        flag = {id(r[0]): r[3] for r in resent}
        for s, mid, far in segl:
            at = {"client": True, "middle": mid, "server": far} if dirn == "c2s" else \
                 {"server": True, "middle": mid, "client": far}
            key = (s["seq"], "S" in s["flags"])
            kind = "data" if s["len"] else "syn" if "S" in s["flags"] else "fin"
            for v, yes in at.items():
                k = cnt.setdefault(v, {"data": 0, "syn": 0, "fin": 0})
                w = vis.setdefault(v, {"data": 0, "syn": 0, "fin": 0})
                if flag.get(id(s)) and yes:
                    k[kind] += 1
                    if key in crossed_before[v]:
                        w[kind] += 1
                if yes and (s["len"] or "S" in s["flags"] or "F" in s["flags"]):
                    crossed_before[v].add(key)
        for v in ("client", "middle", "server"):
            cnt.setdefault(v, {"data": 0, "syn": 0, "fin": 0})
            vis.setdefault(v, {"data": 0, "syn": 0, "fin": 0})
        retx[dirn] = {"events": len(retx_ev[side]), "events_unjoined": unmatched,
                      "resent": len(resent), "at": cnt, "seen_again": vis}
    o["retrans"] = retx
    o["resets"] = rst
    # Forged RSTs (fwdA, after the client's point) that reached each point.
    inj = [s for s in x["segA"] if s["fate"] == "inj"]
    o["forged_rst"] = {"client": 0, "middle": len(inj),
                       "server": sum(1 for s in inj if any(u["fate"] == "fwd" and "R" in u["flags"]
                                                            and u["seq"] == s["seq"] for u in x["segB"]))}
    if name.startswith("xfer-"):
        info = {}
        for role in ("client", "server"):
            li = tcpinfo.get((int(o["client"].split(":")[1]), role))
            if li:
                info[role] = {k: int(v) for k, v in li[-1].items()}
        o["transfer"] = {"sender": "client", "direction": "c2s",
                         "limited_by": VERDICT.get(name, []),
                         "tcp_info": info, "cc_states": cong, "probe": probe}
    return o


def thin(d, name, vantage, pct, seed):
    """Copies a pcap with pct % of its frames deleted (deterministic)."""
    src = os.path.join(d, "%s.%s.pcap.gz" % (name, vantage))
    dst = os.path.join(d, "%s.loss%d.%s.pcap.gz" % (name, pct, vantage))
    data = gzip.open(src, "rb").read()
    rnd = random.Random("%s/%s/%d" % (name, vantage, seed))
    out, i, n, kept = [data[:24]], 24, 0, 0
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while i + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[i + 8:i + 12])[0]
        rec = data[i:i + 16 + caplen]
        i += 16 + caplen
        n += 1
        if rnd.random() * 100 >= pct:
            out.append(rec)
            kept += 1
    with open(dst, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0,
                                             filename="", compresslevel=9) as g:
        g.write(b"".join(out))
    return n - kept


def main():
    d = sys.argv[1]
    names = sys.argv[2:] or sorted(f[:-len(".raw.tar.gz")] for f in os.listdir(d)
                                   if f.endswith(".raw.tar.gz"))
    for name in names:
        n = scenario(d, name)
        dels = [thin(d, name, v, 2, 1) for v in ("client", "middle", "server")]
        print("%-16s %4d connections, capture-loss copies: %s frames deleted" % (name, n, dels))


if __name__ == "__main__":
    main()
