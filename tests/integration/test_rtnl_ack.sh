#!/bin/bash
# What the egress assumes of rtnetlink (learn.c, rtnl_pending.c): a route
# or proxy request is carried out inside sendmsg(), so the route is there
# and its ack (or error) already queued on the socket when the send
# returns; acks come in the order the requests went. The daemon sends
# routes and proxy entries without waiting and reads the acks later.
#
#   [R] s1, m0 (each a veth whose peer stays in R)
. "$(dirname "$0")/lib.sh"
need_root

netns_add r
for l in s1 m0; do
	in_ns r ip link add "$l" type veth peer name "$l-p" ||
		{ echo "FAIL: veth $l"; exit 1; }
	in_ns r ip link set "$l" up
	in_ns r ip link set "$l-p" up
done
S1=$(in_ns r cat /sys/class/net/s1/ifindex)
M0=$(in_ns r cat /sys/class/net/m0/ifindex)

# Prints, per request, "seq error queued-at-return", then nothing else.
in_ns r python3 - "$S1" "$M0" >"$TMP/acks" 2>&1 <<'PY'
import socket, struct, sys

s1, m0 = int(sys.argv[1]), int(sys.argv[2])
NLM_F_REQUEST, NLM_F_ACK, NLM_F_REPLACE, NLM_F_CREATE = 1, 4, 0x100, 0x400
RTM_NEWROUTE, RTM_NEWNEIGH, NLMSG_ERROR = 24, 28, 2
dst = socket.inet_pton(socket.AF_INET6, "2001:db8:1::99")

def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)

def msg(t, seq, body):
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
    return struct.pack("IHHII", 16 + len(body), t, flags, seq, 0) + body

def route(seq, oif):
    rtm = struct.pack("BBBBBBBBI", socket.AF_INET6, 128, 0, 0, 254, 135, 0, 1, 0)
    return msg(RTM_NEWROUTE, seq, rtm + attr(1, dst) + attr(4, struct.pack("I", oif))
               + attr(6, struct.pack("I", 1135)))

def proxy(seq, ifindex):
    ndm = struct.pack("BxxxiHBB", socket.AF_INET6, ifindex, 0x80, 0x08, 0)
    return msg(RTM_NEWNEIGH, seq, ndm + attr(1, dst))

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK, 0)
s.bind((0, 0))
# A route, a refused one (no such device), a proxy entry.
for seq, req in ((1, route(1, s1)), (2, route(2, 999999)), (3, proxy(3, m0))):
    s.send(req)
    try:
        ack = s.recv(4096, socket.MSG_DONTWAIT)
    except BlockingIOError:
        print(seq, "none", "not-queued")
        continue
    _, t, _, aseq, _ = struct.unpack("IHHII", ack[:16])
    err = struct.unpack("i", ack[16:20])[0] if t == NLMSG_ERROR else None
    print(aseq, err, "queued")
# Sent back to back without reading: the acks come in order.
s.send(route(4, s1) + route(5, 999999) + proxy(6, m0))
got = []
while True:
    try:
        buf = s.recv(65536, socket.MSG_DONTWAIT)
    except BlockingIOError:
        break
    off = 0
    while off + 16 <= len(buf):
        n, t, _, aseq, _ = struct.unpack("IHHII", buf[off:off + 16])
        if t == NLMSG_ERROR:
            got.append((aseq, struct.unpack("i", buf[off + 16:off + 20])[0]))
        off += (n + 3) & ~3
print("batch", " ".join("%d:%d" % g for g in got))
PY
cat "$TMP/acks"
check "a route's ack is queued when its send returns" grep -qx '1 0 queued' "$TMP/acks"
check "a refused route's error is queued when its send returns" \
	grep -qx '2 -19 queued' "$TMP/acks"
check "a proxy entry's ack is queued when its send returns" grep -qx '3 0 queued' "$TMP/acks"
check "the route is there once the send returned" \
	eval "in_ns r ip -6 route show 2001:db8:1::99 | grep -q 'dev s1 proto 135 metric 1135'"
check "the proxy entry is there once the send returned" \
	eval "in_ns r ip -6 neigh show proxy | grep -q '2001:db8:1::99 dev m0'"
check "three requests in one send: three acks, in order, each its own outcome" \
	grep -qx 'batch 4:0 5:-19 6:0' "$TMP/acks"
summary
