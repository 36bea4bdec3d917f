#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer targets (stdlib only).

    python3 tests/fuzz/make_corpus.py [OUTDIR]

OUTDIR defaults to tests/fuzz/corpus next to this script; it gets
ns_parse/ (raw IPv6 packets for fuzz_ns_parse), nflog/ (inputs of
fuzz_nflog: a mode byte, then a netlink receive buffer or attribute bytes,
see fuzz_nflog.c), nd/ (a hop limit byte, then an ICMPv6 message, for
fuzz_nd), netmon/ (a mode byte, then an rtnetlink receive buffer or a
message type and its body, see fuzz_netmon.c), hold/ (an NFQUEUE
receive buffer, for fuzz_hold) and engine/ (event programs for
fuzz_engine: two option bytes, then three bytes per event). Output is deterministic; rerunning
rewrites the same files.
Netlink headers are in host byte order, as the kernel sends them.
"""
import os
import socket
import struct
import sys

# --- IPv6 / ICMPv6 Neighbor Solicitation -----------------------------------

def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def ns_packet(src, dst, target, options=b"", plen=None, icmp_type=135,
              code=0, hop_limit=255):
    """IPv6 header + NS body + options; plen overrides the length field."""
    body = struct.pack("!BBHI", icmp_type, code, 0, 0) + ip6(target) + options
    if plen is None:
        plen = len(body)
    hdr = struct.pack("!IHBB", 6 << 28, plen, 58, hop_limit) + ip6(src) + ip6(dst)
    return hdr + body


def option(otype, units, data):
    """An ND option of `units` 8-octet units; data is padded/cut to fit."""
    size = max(units * 8 - 2, 0)
    return struct.pack("!BB", otype, units) + data.ljust(size, b"\0")[:size]


SLLA = option(1, 1, bytes.fromhex("02005e100001"))
NONCE = option(14, 1, bytes.fromhex("a1b2c3d4e5f6"))
SRC, TARGET = "2001:db8::1", "2001:db8::2"
SNMA = "ff02::1:ff00:2"

NS_VALID = ns_packet(SRC, SNMA, TARGET, SLLA)

NS_SEEDS = {
    "valid_slla": NS_VALID,
    "valid_no_options": ns_packet(SRC, SNMA, TARGET),
    # Duplicate address detection: unspecified source, nonce, no SLLA.
    "dad_nonce": ns_packet("::", SNMA, TARGET, NONCE),
    # The option claims 16 bytes, the payload holds 8 of them.
    "option_truncated": ns_packet(SRC, SNMA, TARGET,
                                  struct.pack("!BB", 1, 2) + bytes(6)),
    "option_zero_length": ns_packet(SRC, SNMA, TARGET,
                                    struct.pack("!BB", 1, 0) + bytes(6)),
    # A Neighbor Advertisement (136) where an NS is expected.
    "wrong_type": ns_packet(SRC, SNMA, TARGET, SLLA, icmp_type=136),
    # Accepted only with NS_PARSE_ALLOW_LINKLOCAL.
    "target_link_local": ns_packet("fe80::1", "ff02::1:ff00:2", "fe80::2",
                                   SLLA),
}

# --- ICMPv6 Neighbor Advertisement, for fuzz_nd ---------------------------
# A hop limit byte, then the ICMPv6 message from its type on. The fuzzer
# also reads the first 38 bytes after the hop limit as the source, target
# and link-layer address of an NS it builds.

TLLA = option(2, 1, bytes.fromhex("02005e100002"))


def na(target=TARGET, flags=0x60, options=TLLA, hop_limit=255, icmp_type=136,
       code=0):
    body = struct.pack("!BBHI", icmp_type, code, 0, flags << 24) + ip6(target)
    return bytes([hop_limit]) + body + options


ND_SEEDS = {
    "na_solicited_tlla": na(),
    "na_no_options": na(options=b""),
    "na_unsolicited": na(flags=0x20),
    "na_hop_limit_64": na(hop_limit=64),
    "na_target_multicast": na(target="ff02::1"),
    "na_option_zero_length": na(options=struct.pack("!BB", 2, 0) + bytes(6)),
    "na_option_truncated": na(options=struct.pack("!BB", 2, 2) + bytes(6)),
    "ns_not_na": na(icmp_type=135, options=SLLA),
    "na_link_local_target": na(target="fe80::2"),
}

# --- netlink ----------------------------------------------------------------

NLMSG_HDRLEN = 16
NFNL_SUBSYS_ULOG = 4
NFNL_SUBSYS_NFTABLES = 10
NFULNL_MSG_PACKET = 0
NFLOG_PACKET = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET

NFULA_PACKET_HDR = 1
NFULA_IFINDEX_OUTDEV = 5
NFULA_PAYLOAD = 9
NFULA_PREFIX = 10
NFULA_SEQ = 12

NFT_MSG_NEWTABLE = 0
NFT_MSG_NEWCHAIN = 3
NFT_MSG_NEWSETELEM = 12
NFT_MSG_NEWGEN = 15
NFPROTO_INET = 1
AF_INET6 = 10
ETH_P_IPV6 = 0x86DD
NF_INET_POST_ROUTING = 4

MODE_RAW, MODE_NFLOG, MODE_NFT = 0, 1, 2


def align4(n):
    return (n + 3) & ~3


def attr(atype, payload):
    """One netlink attribute, padded to 4 bytes (nla_len is unpadded)."""
    raw = struct.pack("=HH", 4 + len(payload), atype) + payload
    return raw.ljust(align4(len(raw)), b"\0")


def nfgenmsg(family, res_id):
    return struct.pack("!BBH", family, 0, res_id)


def nlmsg(mtype, body, seq=0):
    raw = struct.pack("=IHHII", NLMSG_HDRLEN + len(body), mtype, 0, seq, 0) + body
    return raw.ljust(align4(len(raw)), b"\0")


def nflog_attrs(payload, outdev=2, seq=1):
    """The attributes the kernel sends for an outgoing packet of our rule
    (NFULA_SEQ with NFULNL_CFG_F_SEQ set)."""
    a = attr(NFULA_PACKET_HDR, struct.pack("!HBB", ETH_P_IPV6,
                                           NF_INET_POST_ROUTING, 0))
    a += attr(NFULA_PREFIX, b"ns-monitor\0")
    a += attr(NFULA_IFINDEX_OUTDEV, struct.pack("!I", outdev))
    a += attr(NFULA_SEQ, struct.pack("!I", seq))
    if payload is not None:
        a += attr(NFULA_PAYLOAD, payload)
    return a


def nflog_packet(payload, group=135, outdev=2, seq=1):
    """The kernel's nlmsg_seq is 0; the sequence number is NFULA_SEQ."""
    return nlmsg(NFLOG_PACKET, nfgenmsg(AF_INET6, group) +
                 nflog_attrs(payload, outdev, seq))


def nft_msg(msg_type, attrs, family=NFPROTO_INET):
    return nlmsg((NFNL_SUBSYS_NFTABLES << 8) | msg_type,
                 nfgenmsg(family, 0) + attrs)


def nul(s):
    return s.encode() + b"\0"


TABLE_ATTRS = attr(1, nul("ns_monitor")) + attr(2, struct.pack("!I", 0))
CHAIN_ATTRS = attr(1, nul("ns_monitor")) + attr(3, nul("output_135"))
# NFTA_SET_ELEM_LIST_TABLE, _SET, _ELEMENTS { NFTA_LIST_ELEM { KEY { VALUE } } }
SETELEM_ATTRS = (attr(1, nul("ns_monitor")) + attr(2, nul("masters_135")) +
                 attr(3 | 0x8000, attr(1 | 0x8000, attr(1 | 0x8000,
                      attr(1, b"eth0".ljust(16, b"\0"))))))

VALID = nflog_packet(NS_VALID)
TWO = nflog_packet(NS_VALID, seq=1) + nflog_packet(
    ns_packet(SRC, SNMA, "2001:db8::3"), outdev=3, seq=2)

NFLOG_SEEDS = {
    # Mode 0: the bytes after the mode byte are the receive buffer.
    "packet_ns": bytes([MODE_RAW]) + VALID,
    "packet_no_payload": bytes([MODE_RAW]) + nflog_packet(None),
    "two_packets": bytes([MODE_RAW]) + TWO,
    # The buffer ends inside the message its header announces.
    "truncated": bytes([MODE_RAW]) + VALID[:len(VALID) - 20],
    "nft_table_then_gen": bytes([MODE_RAW]) + nft_msg(
        NFT_MSG_NEWTABLE, TABLE_ATTRS) + nlmsg(
        (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN,
        nfgenmsg(0, 0) + attr(1, struct.pack("!I", 7))),
    # Mode 1: header built by the target, these are the attributes.
    "attrs_nflog_packet": bytes([MODE_NFLOG]) + nflog_attrs(NS_VALID),
    # Mode 2: NFT_MSG_* type byte, family byte, attributes.
    "attrs_nft_table": bytes([MODE_NFT, NFT_MSG_NEWTABLE, NFPROTO_INET])
        + TABLE_ATTRS,
    "attrs_nft_chain": bytes([MODE_NFT, NFT_MSG_NEWCHAIN, NFPROTO_INET])
        + CHAIN_ATTRS,
    "attrs_nft_setelem": bytes([MODE_NFT, NFT_MSG_NEWSETELEM, NFPROTO_INET])
        + SETELEM_ATTRS,
}


# --- rtnetlink, for fuzz_netmon ---------------------------------------------

RTM_NEWLINK, RTM_DELLINK = 16, 17
RTM_NEWADDR, RTM_DELADDR = 20, 21
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTM_NEWNEIGH, RTM_DELNEIGH = 28, 29
# fuzz_netmon's mode 1 picks the type by its index in this list.
FOLLOWED = [RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR,
            RTM_NEWNEIGH, RTM_DELNEIGH, RTM_NEWROUTE, RTM_DELROUTE]
AF_INET = 2
ARPHRD_ETHER = 1
IFF_UP, IFF_RUNNING = 0x1, 0x40
IFLA_ADDRESS, IFLA_IFNAME = 1, 3
IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS = 1, 2, 8
IFA_F_NODAD, IFA_F_TENTATIVE = 0x02, 0x40
RT_SCOPE_LINK = 253
NDA_DST, NDA_LLADDR = 1, 2
NUD_REACHABLE, NUD_STALE = 0x02, 0x04
RTA_DST, RTA_OIF, RTA_PRIORITY, RTA_TABLE = 1, 4, 6, 15
RTPROT_NS_MONITOR = 135
MAC = bytes.fromhex("02005e100001")


def ifinfomsg(index=2, flags=IFF_UP | IFF_RUNNING, family=0):
    return struct.pack("=BxHiII", family, ARPHRD_ETHER, index, flags, 0)


def ifaddrmsg(index=2, prefixlen=64, scope=0, family=AF_INET6):
    return struct.pack("=BBBBI", family, prefixlen, 0, scope, index)


def ndmsg(index=2, state=NUD_REACHABLE, family=AF_INET6):
    return struct.pack("=BxHiHBB", family, 0, index, state, 0, 0)


def rtmsg(dst_len=128, protocol=RTPROT_NS_MONITOR, family=AF_INET6,
          table=254):
    return struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, table, protocol,
                       0, 1, 0)


LINK_BODY = (ifinfomsg() + attr(IFLA_IFNAME, nul("s1")) +
             attr(IFLA_ADDRESS, MAC))
ADDR_BODY = (ifaddrmsg(prefixlen=64, scope=RT_SCOPE_LINK) +
             attr(IFA_ADDRESS, ip6("fe80::1")) +
             attr(IFA_FLAGS, struct.pack("=I", IFA_F_NODAD)))
NEIGH_BODY = (ndmsg() + attr(NDA_DST, ip6(TARGET)) + attr(NDA_LLADDR, MAC))
ROUTE_BODY = (rtmsg() + attr(RTA_TABLE, struct.pack("=I", 254)) +
              attr(RTA_DST, ip6(TARGET)) + attr(RTA_PRIORITY,
              struct.pack("=I", 1159)) + attr(RTA_OIF, struct.pack("=I", 3)))

MODE_BUFFER, MODE_TYPED = 0, 1


def typed(msg_type, body):
    """Mode 1: the index of the type in FOLLOWED, then the message body."""
    return bytes([MODE_TYPED, FOLLOWED.index(msg_type)]) + body


NETMON_SEEDS = {
    # Mode 0: whole messages, as recv() returns them.
    "link_new": bytes([MODE_BUFFER]) + nlmsg(RTM_NEWLINK, LINK_BODY),
    "link_then_addr": bytes([MODE_BUFFER]) + nlmsg(RTM_NEWLINK, LINK_BODY)
        + nlmsg(RTM_NEWADDR, ADDR_BODY),
    "neigh_then_route": bytes([MODE_BUFFER]) + nlmsg(RTM_NEWNEIGH, NEIGH_BODY)
        + nlmsg(RTM_DELROUTE, ROUTE_BODY),
    # The buffer ends inside the message its header announces.
    "truncated": bytes([MODE_BUFFER]) + nlmsg(RTM_NEWLINK, LINK_BODY)[:30],
    # Mode 1: one message of a followed type, its body from the input.
    "link_del": typed(RTM_DELLINK, LINK_BODY),
    "link_name_unterminated": typed(RTM_NEWLINK, ifinfomsg()
        + attr(IFLA_IFNAME, b"a-name-longer-than-ifnamsiz")),
    "link_name_empty": typed(RTM_NEWLINK, ifinfomsg()
        + attr(IFLA_IFNAME, b"\0")),
    "addr_new_local": typed(RTM_NEWADDR, ifaddrmsg(prefixlen=128)
        + attr(IFA_LOCAL, ip6(TARGET)) + attr(IFA_ADDRESS, ip6("fe80::2"))),
    "addr_tentative_no_flags_attr": typed(RTM_NEWADDR, struct.pack(
        "=BBBBI", AF_INET6, 64, IFA_F_TENTATIVE, 0, 2)
        + attr(IFA_ADDRESS, ip6(SRC))),
    "addr_ipv4": typed(RTM_DELADDR, ifaddrmsg(prefixlen=24, family=AF_INET)
        + attr(IFA_ADDRESS, socket.inet_aton("192.0.2.1"))),
    "neigh_stale_no_lladdr": typed(RTM_DELNEIGH, ndmsg(state=NUD_STALE)
        + attr(NDA_DST, ip6(TARGET))),
    "neigh_dst_short": typed(RTM_NEWNEIGH, ndmsg() + attr(NDA_DST, bytes(8))),
    "route_new": typed(RTM_NEWROUTE, ROUTE_BODY),
    "route_prefix_64": typed(RTM_NEWROUTE, rtmsg(dst_len=64)
        + attr(RTA_DST, ip6("2001:db8::")) + attr(RTA_OIF,
        struct.pack("=I", 3))),
    "route_no_oif": typed(RTM_NEWROUTE, rtmsg() + attr(RTA_DST, ip6(TARGET))),
}

# --- NFQUEUE, for fuzz_hold -------------------------------------------------

NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0

HOLD_SEEDS = {
    # A packet message of queue 135 with no attributes at all.
    "min": nlmsg((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET,
                 nfgenmsg(AF_INET6, 135)),
}


# --- event programs, for fuzz_engine ---------------------------------------

# Option byte 1 (fuzz_engine.c setup()): 1 learn_routes, 2 scope,
# 4 proxy_ndp, 8 held packets, 64 no masters' window; byte 2: limits
# (0xff: the largest the fuzzer gives). Then events: op, a, b.
E_TIME, E_NS_OUT, E_NS_IN, E_HELD, E_SIGN, E_GUEST_NS, E_ANSWER = 0, 1, 2, 3, 4, 5, 6
E_NEIGH, E_ADOPT, E_CHECKED, E_ADOPT_NEIGH, E_ROUTE_GONE = 9, 11, 12, 14, 15
E_SLAVE, E_BIND = 17, 19
# any_if(b): b % 6 in 0..2 a slave (101 + b % 3), 3..4 a master, 5 none.


def program(options, limits, *events):
    """events: (op, a, b) each, or a lone byte an event reads on (bindings)."""
    out = bytes([options, limits])
    for ev in events:
        out += bytes([ev]) if isinstance(ev, int) else bytes(ev)
    return out


ENGINE_SEEDS = {
    # The host's NS, a slave's answer after the window, its check.
    "learn": program(1, 0xff, (E_NS_OUT, 2, 0), (E_ANSWER, 2, 1),
                     (E_TIME, 60, 0), (E_CHECKED, 0, 0), (E_TIME, 255, 0)),
    # With --proxy-ndp: the upstream's NS, a master answers first.
    "proxy_master": program(5, 0xff, (E_NS_IN, 3, 0), (E_ANSWER, 3, 3),
                            (E_ANSWER, 3, 0), (E_TIME, 60, 0),
                            (E_CHECKED, 0, 0)),
    # Held packets (--queue), small limits.
    "held": program(9, 0x21, (E_HELD, 4, 0), (E_HELD, 5, 1), (E_ANSWER, 4, 2),
                    (E_TIME, 100, 0), (E_CHECKED, 0, 0), (E_TIME, 210, 0)),
    # A DAD sign, its slave leaving, coming back.
    "sign": program(1, 0xff, (E_SIGN, 6, 8), (E_TIME, 220, 0),
                    (E_ANSWER, 6, 0), (E_SLAVE, 0, 0), (E_SLAVE, 0, 0)),
    # A guest's NS (on-link guests), answered behind another slave.
    "guest_ns": program(7, 0xff, (E_GUEST_NS, 7, 1), (E_CHECKED, 0, 0),
                        (E_ANSWER, 7, 0), (E_TIME, 60, 0), (E_CHECKED, 0, 0)),
    # A route left by an earlier run, a neighbor entry, a deleted route.
    "adopt": program(1, 0xff, (E_ADOPT, 8, 16), (E_CHECKED, 0, 0),
                     (E_ADOPT_NEIGH, 9, 1), (E_ROUTE_GONE, 8, 0),
                     (E_NEIGH, 8, 0)),
    # Bindings set while targets are learned.
    "bindings": program(3, 0xff, (E_NS_OUT, 5, 0), (E_ANSWER, 5, 0),
                        (E_TIME, 60, 0), (E_CHECKED, 0, 0), (E_BIND, 0, 0),
                        0x09),
}


def write(outdir, seeds):
    os.makedirs(outdir, exist_ok=True)
    for name, data in sorted(seeds.items()):
        assert len(data) <= 512, name      # run.sh fuzzes with -max_len=512
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    write(os.path.join(out, "ns_parse"), NS_SEEDS)
    write(os.path.join(out, "nflog"), NFLOG_SEEDS)
    write(os.path.join(out, "nd"), ND_SEEDS)
    write(os.path.join(out, "netmon"), NETMON_SEEDS)
    write(os.path.join(out, "hold"), HOLD_SEEDS)
    write(os.path.join(out, "engine"), ENGINE_SEEDS)
    print("wrote %d ns_parse, %d nflog, %d nd, %d netmon, %d hold and %d"
          " engine seeds under %s" % (len(NS_SEEDS), len(NFLOG_SEEDS),
                                      len(ND_SEEDS), len(NETMON_SEEDS),
                                      len(HOLD_SEEDS), len(ENGINE_SEEDS),
                                      out))


if __name__ == "__main__":
    main()
