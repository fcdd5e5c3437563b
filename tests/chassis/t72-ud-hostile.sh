#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Datagrams and MADs a well-behaved sender never sends (tests/tools/
# pcv_udabuse), across two blades and in loopback:
#  - address handles to LID 0, an absent LID or an absent blade's GID are
#    refused with EINVAL;
#  - UD sends to a QPN nobody has and with the wrong Q_Key complete
#    successfully at the sender (UD), are dropped at the receiver and counted
#    (ud_drop_no_qp, ud_drop_qkey), and the good datagrams sent between them
#    all arrive, byte-checked, with nothing else delivered;
#  - malformed MADs to QP1 (wrong lengths, base versions) are dropped and
#    counted exactly (mad_drop_malformed); SA requests with a known error get
#    that error status; 200 random SA requests are each answered, random
#    "responses" never; the SA still answers afterwards (sa_mads_answered,
#    sa_mads_error count them);
#  - afterwards IPoIB still works both ways and no kernel complained.
. "$(dirname "$0")/../lib.sh"

TOOL=$PROJ/build/conformance/pcv_udabuse
make -s -C "$PROJ/tests/conformance" 2>&1 | diag
check "pcv_udabuse builds" test -x "$TOOL"

chassis_up 2
RC_TMP=$(mktemp -d /tmp/pcv-udh.XXXXXX)
trap '"$CHASSIS" down >/dev/null 2>&1; rm -rf "$RC_TMP"' EXIT

COUNTERS="ud_drop_no_qp ud_drop_qkey mad_drop_malformed sa_mads_answered sa_mads_error"
snap() { # snap B: NAME=VALUE lines of blade B's counters
	bexec "$1" 30 -- sh -c "cd /sys/class/infiniband/pciev0/ports/1/hw_counters &&
		for c in $COUNTERS; do echo \$c=\$(cat \$c); done"
}
delta() { # delta BEFORE AFTER NAME
	echo $(($(sed -n "s/^$3=//p" "$2") - $(sed -n "s/^$3=//p" "$1")))
}

# abuse DESC TXBLADE RXBLADE NRANDOM
abuse() {
	local desc=$1 tx=$2 rx=$3 nrand=$4 qpn lid rrc trc
	snap "$rx" > "$RC_TMP/before"
	# (the previous round's output must not be mistaken for this one's)
	rm -f "$RC_TMP/rx.out"
	bg_start rx "$rx" 180 -- "$TOOL" rx -n 64 -t 150
	wait_for 60 grep -q '^QPN ' "$RC_TMP/rx.out"
	read -r _ qpn _ lid < <(grep '^QPN ' "$RC_TMP/rx.out")
	if [ -z "$qpn" ]; then
		sed 's/^/rx: /' "$RC_TMP/rx.out" | diag
		not_ok "$desc: the receiver set up its UD QP"
		bg_wait rx 200 > /dev/null
		return
	fi
	bexec "$tx" 150 -- "$TOOL" tx -l "$lid" -q "$qpn" -n 64 -a 9 -r "$nrand" -s "$tx$rx" \
		> "$RC_TMP/tx.out" 2>&1
	trc=$?
	relay_tap "$desc" "$RC_TMP/tx.out"
	check "$desc: pcv_udabuse tx ran to the end (exit $trc)" test "$trc" = 0
	rrc=$(bg_wait rx 200)
	grep -E '^(rx|#)' "$RC_TMP/rx.out" | diag
	check "$desc: the receiver got the 64 good datagrams and nothing else (exit $rrc)" \
		grep -q '^rx good 64 unexpected 0$' "$RC_TMP/rx.out"
	snap "$rx" > "$RC_TMP/after"
	local nq nk nm na ne malformed
	nq=$(delta "$RC_TMP/before" "$RC_TMP/after" ud_drop_no_qp)
	nk=$(delta "$RC_TMP/before" "$RC_TMP/after" ud_drop_qkey)
	nm=$(delta "$RC_TMP/before" "$RC_TMP/after" mad_drop_malformed)
	na=$(delta "$RC_TMP/before" "$RC_TMP/after" sa_mads_answered)
	ne=$(delta "$RC_TMP/before" "$RC_TMP/after" sa_mads_error)
	malformed=$(sed -n 's/^# malformed //p' "$RC_TMP/tx.out")
	echo "# blade $rx counters: ud_drop_no_qp +$nq ud_drop_qkey +$nk mad_drop_malformed +$nm" \
		"sa_mads_answered +$na sa_mads_error +$ne"
	check "$desc: 64 datagrams to an absent QPN counted in ud_drop_no_qp (+$nq)" test "$nq" -ge 64
	check "$desc: 64 datagrams with a wrong Q_Key counted in ud_drop_qkey (+$nk)" test "$nk" -ge 64
	check "$desc: malformed MADs counted exactly in mad_drop_malformed (+$nm of ${malformed:-?})" \
		test "$nm" = "${malformed:-x}"
	check "$desc: SA requests answered counted (+$na >= $((nrand + 7)))" test "$na" -ge $((nrand + 7))
	check "$desc: SA error answers counted (+$ne >= 5)" test "$ne" -ge 5
}

abuse "blade 0 -> blade 1" 0 1 200
abuse "loopback on blade 1" 1 1 50

check "afterwards: IPoIB ping blade 0 -> blade 1" ib_ping 0 1 3
check "afterwards: IPoIB ping blade 1 -> blade 0" ib_ping 1 0 3
for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
