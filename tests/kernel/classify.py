#!/usr/bin/env python3
"""classify.py - proposes tests/kernel/known.tsv from a comparison.

    OUT=/tmp/lines sh tests/kernel/compare.sh -k /dev/null
    python3 tests/kernel/classify.py /tmp/lines pcaps/kernel > tests/kernel/known.tsv

A state path whose truth is among tcpscope's alternatives
(client_states_alt / server_states_alt; compare.sh's class "alternative")
needs no entry. Each other difference gets the class whose written criterion (below, and in
tests/KNOWN-DIFFERENCES.md) it meets, or "unclassified", which compare.sh
does not accept: those are to be looked at by hand (and the tool or the
truth fixed, or a class added with its reason). The criteria use only the
truth files, the capture and the scenario's construction:

  original-unseen    a re-send count: some re-sends crossed this point
                     whose earlier copies did not (truth: at > seen_again),
                     and tcpscope counted at least the re-sends whose earlier
                     copy crossed (seen_again <= got < at)
  synack-duplicate   s2c_syn_retx below what crossed, by no more than the
                     SYN-ACKs tcpscope took for capture duplicates
  lost-after-point   a state path in a drop-* scenario at a vantage point
                     between the sender of the dropped segment and the
                     forwarder that dropped it: the capture shows a segment
                     its receiver never got
  capture-loss       a .loss2. copy where the full capture of the same
                     point agrees with the truth (or has it among its
                     alternatives)
  rwnd-paced         c2s_rwnd_limited_s in xfer-slowread, tcpscope's the
                     larger, where the busy time agrees (the sender paced:
                     BBR, the recording host's default)
  recovery-point-unseen  c2s_cc_states at the middle or server point where
                     the client point's path agrees with the kernel's
"""
import json, os, subprocess, sys

# drop-* scenarios: direction of the dropped segment, forwarder (a: fwdA
# between client and middle, b: fwdB between middle and server).
DROPS = {"drop-syn-a": ("c2s", "a"), "drop-syn-b": ("c2s", "b"),
         "drop-synack-a": ("s2c", "a"), "drop-synack-b": ("s2c", "b"),
         "drop-cfin-a": ("c2s", "a"), "drop-cfin-b": ("c2s", "b"),
         "drop-sfin-a": ("s2c", "a"), "drop-sfin-b": ("s2c", "b"),
         "drop-rst-a": ("c2s", "a"), "drop-rst-b": ("c2s", "b"),
         "drop-lastack-a": ("c2s", "a"), "drop-lastack-b": ("c2s", "b")}
BEFORE = {("c2s", "a"): {"client"}, ("c2s", "b"): {"client", "middle"},
          ("s2c", "b"): {"server"}, ("s2c", "a"): {"server", "middle"}}


def main():
    lines, d = sys.argv[1], sys.argv[2]
    tcpscope = os.environ.get("TCPSCOPE", "./tcpscope")
    rows = [l.rstrip("\n").split("\t") for l in open(lines)]
    truth = {}
    for f in os.listdir(d):
        if f.endswith(".truth.jsonl"):
            for l in open(os.path.join(d, f)):
                o = json.loads(l)
                truth[(o["scenario"], o["client"], str(o["incarnation"]))] = o
    flows = {}

    def flow(cap, client):
        if cap not in flows:
            out = subprocess.run([tcpscope, "flows", "-r", os.path.join(d, cap + ".pcap.gz"),
                                  "-f", "json"], capture_output=True, text=True).stdout
            flows[cap] = [json.loads(l) for l in out.splitlines() if l.strip()]
        return [f for f in flows[cap] if "%s:%d" % (f["client_ip"], f["client_port"]) == client]

    ok = {(r[0], r[3], r[4], r[5]) for r in rows
          if len(r) > 9 and (r[8] == "1" or r[9] == "alt")}
    cls_of = {}
    out = []
    for r in rows:
        if len(r) < 10 or r[8] == "1" or r[9] in ("alt", "vantage"):
            continue  # right, the truth among tcpscope's alternatives, or
            # the vantage estimate (compare.sh counts it apart)
        cap, v, sc, client, inc, field, tv, gv = r[:8]
        t = truth.get((sc, client, inc))
        cls = "unclassified"
        if ".loss" in cap:
            orig = cap.split(".")[0] + "." + v
            if (orig, client, inc, field) in ok:
                cls = "capture-loss"
            else:
                cls = cls_of.get((orig, client, inc, field), "unclassified")
        elif t and field.endswith("_retx") and gv.isdigit() and tv.isdigit():
            dirn, kind = field.split("_")[0], field.split("_")[1]
            at = t["retrans"][dirn]["at"][v][kind]
            seen = t["retrans"][dirn]["seen_again"][v][kind]
            got = int(gv)
            if seen <= got < at:
                cls = "original-unseen"
            elif field == "s2c_syn_retx" and got < seen:
                dup = sum(f["s2c"]["capture_duplicates"] for f in flow(cap, client))
                if dup >= seen - got:
                    cls = "synack-duplicate"
        elif field in ("client_states", "server_states") and sc in DROPS and \
                v in BEFORE[DROPS[sc]]:
            cls = "lost-after-point"
        elif field == "c2s_rwnd_limited_s" and sc == "xfer-slowread" and \
                (cap, client, inc, "c2s_busy_s") in ok and float(gv) > float(tv):
            cls = "rwnd-paced"
        elif field == "c2s_cc_states" and v in ("middle", "server") and \
                (sc + ".client", client, inc, field) in ok:
            cls = "recovery-point-unseen"
        cls_of[(cap, client, inc, field)] = cls
        out.append("\t".join([cap, client, inc, field, tv, gv, cls]))
    print("# tests/kernel/known.tsv - differences between tcpscope and the kernel's")
    print("# truth that tests/t_kernel.sh accepts; classes in tests/KNOWN-DIFFERENCES.md.")
    print("# Made by tests/kernel/classify.py, checked by hand.")
    print("# CAPTURE\tCLIENT\tINCARNATION\tFIELD\tTRUTH\tTCPSCOPE\tCLASS")
    for l in sorted(out):
        print(l)


if __name__ == "__main__":
    main()
