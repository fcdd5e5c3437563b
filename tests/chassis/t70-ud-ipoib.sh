#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# UD, multicast, the local SA, IPoIB and rdma_cm on three blades:
#  - ib0 comes up by itself on every blade with 10.201.0.<B+1>/24 (the
#    broadcast group is joined through our SA), and every pair pings;
#  - ibv_ud_pingpong (LID and GID addressed, events, sizes);
#  - 256 MiB over TCP on ib0 with its sha256 checked, in datagram mode and
#    in connected mode (RC QPs set up by the IB CM over our GSI QPs);
#  - multicast through rdma_cm (mckey): a sender on blade 0, members on
#    blades 1 and 2, each receiving every message; blade 2 leaves and
#    gets nothing from the next round while blade 1 still does;
#  - rping -v, ucmatose, udaddy; ib_send_lat/bw over UD and with -R;
#  - IPv6 neighbour discovery; datagram mode at MTU 4092;
#  - blade 2 killed (its neighbour entry fails) and restarted: IPoIB to it
#    works again.
. "$(dirname "$0")/../lib.sh"

chassis_up 3
RC_TMP=$(mktemp -d /tmp/pcv-ud.XXXXXX)
trap '"$CHASSIS" down >/dev/null 2>&1; rm -rf "$RC_TMP"' EXIT

for b in 0 1 2; do
	check "blade $b: ib0 up with 10.201.0.$((b + 1))/24" \
		bash -c "$(printf '%q ' "$CHASSIS") exec $b --timeout 30 -- ip -br addr show ib0 |
			grep -q 'UP.*10.201.0.$((b + 1))/24'"
done

for a in 0 1 2; do
	for b in 0 1 2; do
		[ $a = $b ] && continue
		check "ping over ib0: blade $a -> blade $b, 5 of 5 answered" ib_ping $a $b 5
	done
done
grep rtt "$RC_TMP/ping.out" | diag

# IPv6 neighbour discovery over ib0 (link-local addresses), and datagram
# mode at the 4092-byte MTU the broadcast group allows (4096-byte IB MTU).
ll1=$(bexec 1 30 -- ip -6 -br addr show dev ib0 scope link | awk '{ print $3 }' | cut -d/ -f1)
check "blade 1: ib0 has an IPv6 link-local address (${ll1:-none})" test -n "$ll1"
check "ping -6 over ib0: blade 0 -> blade 1's link-local address, 3 of 3" \
	bash -c "$(printf '%q ' "$CHASSIS") exec 0 --timeout 60 -- ping -6 -c 3 -W 5 -q '$ll1%ib0' |
		grep -q ' 3 received'"
check "blade 0 learned blade 1 by neighbour discovery" \
	bash -c "$(printf '%q ' "$CHASSIS") exec 0 --timeout 30 -- ip -6 neigh show dev ib0 |
		grep -q '^$ll1 .*lladdr'"
for b in 0 1; do
	bexec $b 30 -- ip link set ib0 mtu 4092
done
check "datagram mode, MTU 4092: a 4064-byte ping, not fragmented, 3 of 3" \
	bash -c "$(printf '%q ' "$CHASSIS") exec 0 --timeout 60 -- ping -c 3 -W 5 -q -M do -s 4064 10.201.0.2 |
		grep -q ' 3 received'"
for b in 0 1; do
	bexec $b 30 -- ip link set ib0 mtu 2044
done

# ud_pingpong DESC ARGS...: server on blade 1, client on blade 0.
port=18700
ud_pingpong() {
	local desc=$1 n=$2
	shift 2
	port=$((port + 1))
	bg_start srv 1 120 -- ibv_ud_pingpong -d pciev0 -p $port -n "$n" "$@"
	sleep 1
	bexec 0 120 -- ibv_ud_pingpong -d pciev0 -p $port -n "$n" "$@" blade1 > "$RC_TMP/cli.out" 2>&1
	local crc=$? src
	src=$(bg_wait srv 120)
	grep "iters in" "$RC_TMP/cli.out" | diag
	check "ibv_ud_pingpong $desc: client exit 0 ($crc), server exit 0 ($src), $n iterations" \
		bash -c "[ $crc/$src = 0/0 ] && grep -q '^$n iters in' '$RC_TMP/cli.out' &&
			 grep -q '^$n iters in' '$RC_TMP/srv.out'"
}
ud_pingpong "(defaults, by LID)" 500
ud_pingpong "-g 0 (by GID, with GRH)" 300 -g 0
ud_pingpong "-e (CQ events)" 300 -e
ud_pingpong "-s 4096 -c (payload checked)" 200 -s 4096 -c
ud_pingpong "-s 1 -c" 300 -s 1 -c

# tcp_copy DESC MB: blade 0 sends MB MiB of random data to blade 1 over ib0.
tcp_copy() {
	local desc=$1 mb=$2
	port=$((port + 1))
	bg_start rx 1 600 -- sh -c "nc -l -p $port | sha256sum"
	wait_listen rx 1 $port 30
	local t0=$SECONDS
	# streamed (a blade has 512 MiB of RAM): the sender hashes what it sends
	bexec 0 600 -- sh -c "rm -f /tmp/txf && mkfifo /tmp/txf &&
		{ sha256sum < /tmp/txf > /tmp/tx.sum & } &&
		head -c $((mb << 20)) /dev/urandom | tee /tmp/txf | nc -q 1 10.201.0.2 $port &&
		wait && cat /tmp/tx.sum" > "$RC_TMP/tx.out" 2>&1
	local rrc
	rrc=$(bg_wait rx 600)
	local sent got
	sent=$(awk 'END { print $1 }' "$RC_TMP/tx.out")
	got=$(awk '{ print $1 }' "$RC_TMP/rx.out")
	echo "# $desc: $mb MiB in $((SECONDS - t0)) s" | diag
	check "$desc: $mb MiB over TCP on ib0, sha256 equal (${sent:0:12}.. / ${got:0:12}..)" \
		test -n "$sent" -a "$sent" = "$got" -a "$rrc" = 0
}
tcp_copy "IPoIB datagram mode" 256

for b in 0 1; do
	bexec $b 30 -- sh -c 'echo connected > /sys/class/net/ib0/mode && ip link set ib0 mtu 65520'
done
check "connected mode on blades 0 and 1 (mode file reads 'connected')" \
	bash -c "$(printf '%q ' "$CHASSIS") exec 0 -- cat /sys/class/net/ib0/mode | grep -q connected"
tcp_copy "IPoIB connected mode" 256
check "connected mode: blade 0 -> blade 1 ping still answered" ib_ping 0 1 3
for b in 0 1; do
	bexec $b 30 -- sh -c 'ip link set ib0 mtu 2044; echo datagram > /sys/class/net/ib0/mode'
done

# multicast through rdma_cm: members on blades 1 and 2, sender on blade 0
mc_round() { # mc_round TAG MEMBERS...
	local tag=$1 b
	shift
	for b in "$@"; do
		bg_start "mc$tag$b" "$b" 60 -- mckey -m 239.1.2.3 -b "10.201.0.$((b + 1))" -C 20
	done
	sleep 3
	bexec 0 60 -- mckey -m 239.1.2.3 -b 10.201.0.1 -s -C 20 > "$RC_TMP/mcs.out" 2>&1
}
mc_round a 1 2
for b in 1 2; do
	r=$(bg_wait "mca$b" 60)
	check "mckey: member on blade $b received all 20 messages (exit $r)" \
		bash -c "[ $r = 0 ] && grep -q 'data transfers complete' '$RC_TMP/mca$b.out'"
done
cnt0=$(counter 2 ud_received)
mc_round b 1
r=$(bg_wait mcb1 60)
check "mckey: blade 1 alone: received all 20 messages (exit $r)" \
	bash -c "[ $r = 0 ] && grep -q 'data transfers complete' '$RC_TMP/mcb1.out'"
cnt1=$(counter 2 ud_received)
echo "# blade 2 (not a member) ud_received $cnt0 -> $cnt1" | diag
check "blade 2, no longer a member, delivered at most IPoIB's own traffic (< 20 datagrams)" \
	test $((cnt1 - cnt0)) -lt 20

# rdma_cm examples (RC over CM, UD over CM)
cm_pair() { # cm_pair DESC SERVER_CMD CLIENT_CMD
	bg_start cms 1 120 -- sh -c "$2"
	sleep 2
	bexec 0 120 -- sh -c "$3" > "$RC_TMP/cmc.out" 2>&1
	local crc=$? src
	src=$(bg_wait cms 120)
	if [ "$crc/$src" = 0/0 ]; then
		tail -n 3 "$RC_TMP/cmc.out" | diag
	else
		# all of it: stderr lands ahead of the tools' buffered stdout
		{ echo "-- client:"; tail -n 40 "$RC_TMP/cmc.out"
		  echo "-- server:"; tail -n 40 "$RC_TMP/cms.out"; } | diag
	fi
	check "$1: client exit 0 ($crc), server exit 0 ($src)" test "$crc/$src" = 0/0
}
cm_pair "rping -v -C 20" "rping -s -v -C 20 -a 10.201.0.2" "rping -c -v -C 20 -a 10.201.0.2"
cm_pair "ucmatose" "ucmatose" "ucmatose -s 10.201.0.2"
cm_pair "udaddy" "udaddy" "udaddy -s 10.201.0.2"
cm_pair "ib_send_lat -c UD" "ib_send_lat -d pciev0 -F -c UD -n 200" "ib_send_lat -d pciev0 -F -c UD -n 200 blade1"
cm_pair "ib_send_bw -c UD" "ib_send_bw -d pciev0 -F -c UD -n 200" "ib_send_bw -d pciev0 -F -c UD -n 200 blade1"
cm_pair "ib_send_lat -R (rdma_cm)" "ib_send_lat -d pciev0 -F -R -n 200" \
	"ib_send_lat -d pciev0 -F -R -n 200 10.201.0.2"
cm_pair "ib_write_bw -R (rdma_cm)" "ib_write_bw -d pciev0 -F -R -n 200" \
	"ib_write_bw -d pciev0 -F -R -n 200 10.201.0.2"

# a blade dies and comes back: IPoIB to it works again
ch kill 2 > /dev/null 2>&1
no_ping() { ! ib_ping "$@"; }
check "blade 2 killed: blade 0 -> blade 2 ping fails" no_ping 0 2 2
neigh_failed() {
	bexec 0 30 -- ip neigh show 10.201.0.3 dev ib0 | tee "$RC_TMP/neigh.out" |
		grep -qE 'FAILED|INCOMPLETE'
}
check "blade 2 killed: blade 0's neighbour entry for it fails" wait_for 30 neigh_failed
diag < "$RC_TMP/neigh.out"
ch start 2 > "$RC_TMP/start.out" 2>&1
check "blade 2 restarted" grep -q "ready" "$RC_TMP/start.out"
check "after the restart: blade 0 -> blade 2 ping, 5 of 5" wait_for 60 ib_ping 0 2 5
check "after the restart: blade 2 -> blade 1 ping, 5 of 5" ib_ping 2 1 5

for b in 0 1 2; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
