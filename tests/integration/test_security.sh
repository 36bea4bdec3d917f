#!/bin/bash
# Security: what an adversarial sweep found, as tests. Each section starts
# its own daemon and leaves the topology as it found it.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)  2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

U=2001:db8:1::2
X=2001:db8:1::100
Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
r_ll() { in_ns r ip -6 addr show dev "$1" scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p'; }
in_ns x ip -6 route add default via "$(r_ll s1)" dev x0
in_ns y ip -6 route add default via "$(r_ll s2)" dev y0

ping_ok() { in_ns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
route_dev() { in_ns r ip -6 route show "$1/128" proto 135 | grep -q "dev $2 "; }
logged() { grep -qF -- "$2" "$1"; }

# --- sections below; each ends with its daemons stopped ---

summary
