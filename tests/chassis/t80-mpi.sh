#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Open MPI across blades, launched as on a cluster (issue 10): sshd in every
# blade with the chassis' keys, Open MPI's own ssh launcher, pml ucx and
# osc ucx over pciev0 by default.  On 3 blades:
#  - ssh between blades by name and address, and the clear failures (unknown
#    host, a key that is not authorized, no sshd listening, a wrong host for
#    mpirun), each quick and with a message;
#  - a plain `mpirun -np 3 ./prog` (the chassis' default hostfile) runs one
#    rank per blade over rc_verbs on pciev0:1 (UCX's own report) and moves
#    the fabric's counters;
#  - the project's MPI programs (mpi_tests/) over UCX rc_verbs (+ ud_verbs
#    for wire-up) and over ud_verbs alone, data checked (among them a
#    compare-and-swap lock homed on a rank that competes for it: it
#    livelocked with UCX's `self` transport, see etc/ucx.conf);
#  - ucx_perftest between two blades: UCP tag/put/get/atomics, UCT am/put/get
#    on rc_verbs;
#  - no kernel warning anywhere.
. "$(dirname "$0")/../lib.sh"

need_mpi_tests hello

chassis_up 3
rc_dev_setup

# ---- ssh ------------------------------------------------------------------------
for pair in "0 blade1 blade1" "1 blade2 blade2" "2 blade0-ib blade0" "1 10.200.0.1 blade0"; do
	set -- $pair
	out=$(bexec "$1" 90 -- ssh "$2" hostname 2>&1)
	check "blade $1: ssh $2 runs there with no prompt (got '$out')" test "$out" = "$3"
done

# Bad input ends at once with a message, never a prompt or a hang.
t0=$SECONDS
out=$(bexec 0 60 -- ssh blade9 true 2>&1)
rc=$?
check "ssh to an unknown blade: exit 255 with a message ($rc, $((SECONDS - t0)) s)" \
	eval '[ "$rc" = 255 ] && grep -q "Could not resolve" <<<"$out"'
out=$(bexec 0 90 -- sh -c 'ssh-keygen -q -t ed25519 -N "" -f /run/stranger &&
	ssh -i /run/stranger -o IdentitiesOnly=yes blade1 true' 2>&1)
rc=$?
check "ssh with a key the chassis did not make: refused, exit 255 ($rc)" \
	eval '[ "$rc" = 255 ] && grep -q "Permission denied" <<<"$out"'
bexec 2 30 -- pkill -x sshd
out=$(bexec 0 60 -- ssh blade2 true 2>&1)
rc=$?
check "ssh to a blade with no sshd: exit 255, connection refused ($rc)" \
	eval '[ "$rc" = 255 ] && grep -q "refused" <<<"$out"'
# Through sh: sshd stays in the foreground when its parent is PID 1 (the
# job agent) and its output is not a terminal, as under an init system.
bexec 2 30 -- sh -c '/usr/sbin/sshd -f /etc/ssh/pcieverbs_sshd_config -E /run/sshd.log'
check "blade 2: sshd started again" wait_for 30 bexec 0 60 -- ssh blade2 true

t0=$SECONDS
out=$(bexec 0 120 -- mpirun -np 2 --host blade0,nosuchblade "$MT/hello" 2>&1)
rc=$?
echo "$out" | tail -n 6 | diag
check "mpirun with a wrong host name fails with status $rc in $((SECONDS - t0)) s" \
	eval '[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -qi "nosuchblade" <<<"$out"'

# ---- a plain mpirun: every blade, over the fabric --------------------------------
port_counter() { bexec "$1" 30 -- cat "/sys/class/infiniband/pciev0/ports/1/counters/$2"; }
sent0=$(port_counter 1 port_xmit_packets)
out=$(bexec 0 180 -- mpirun -np 3 -x UCX_LOG_LEVEL=info "$MT/hello" 2>&1)
rc=$?
check "mpirun -np 3 with no host list: exit 0 ($rc)" test "$rc" = 0
hosts=$(grep -oE "on blade[0-9]+" <<<"$out" | sort | tr '\n' ' ')
check "one rank on each blade (the chassis' hostfile): $hosts" \
	test "$hosts" = "on blade0 on blade1 on blade2 "
check "UCX ran rc_verbs on pciev0:1" grep -q "rc_verbs/pciev0:1" <<<"$out"
sent1=$(port_counter 1 port_xmit_packets)
check "blade 1's port_xmit_packets moved ($sent0 -> $sent1)" \
	test "${sent1:-0}" -gt "${sent0:-0}"

# ---- the MPI programs, over rc and over ud ----------------------------------------
hosts=blade0,blade1,blade2
for tls in rc_verbs,ud_verbs,sm ud_verbs,sm; do
	t0=$SECONDS
	bexec 0 1500 -- "$PROJ/mpi_tests/run-all" --quick -- -np 3 --host "$hosts" \
		-x UCX_TLS="$tls" > "$RC_TMP/mpi.out" 2>&1
	rc=$?
	relay_tap "3 blades, UCX_TLS=$tls" "$RC_TMP/mpi.out"
	check "3 blades, UCX_TLS=$tls: every MPI program passed (exit $rc, $((SECONDS - t0)) s)" \
		test "$rc" = 0
done

# ---- ucx_perftest ---------------------------------------------------------------
# Each test: server on blade 1, client on blade 0, both must exit 0.
ucx_pt() {
	local desc=$1
	shift
	rc_pair "ucx_perftest $desc" 13337 120 "ucx_perftest" "ucx_perftest blade1 -n 2000 -w 100 $*"
}
for t in tag_lat tag_bw ucp_put_lat ucp_put_bw ucp_get ucp_add ucp_fadd ucp_swap ucp_cswap; do
	ucx_pt "$t (UCP)" -t "$t"
done
for t in am_lat am_bw put_lat; do
	ucx_pt "$t (UCT rc_verbs)" -t "$t" -d pciev0:1 -x rc_verbs
done
ucx_pt "put_bw 64 KiB zcopy (UCT rc_verbs)" -t put_bw -D zcopy -s 65536 -d pciev0:1 -x rc_verbs
ucx_pt "get 64 KiB zcopy (UCT rc_verbs)" -t get -D zcopy -s 65536 -d pciev0:1 -x rc_verbs

for b in 0 1 2; do
	check "blade $b: dmesg clean" dmesg_clean "$b"
done
finish
