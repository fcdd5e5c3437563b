# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for chassis tests (sourced).  Each test script prints TAP:
# "ok N - what" / "not ok N - what", diagnostics as "# ...", and a plan.
#
# Rules every chassis test follows:
#  - every wait has a timeout (`bexec` passes one to every exec; `wait_for`
#    polls with a deadline);
#  - the chassis is torn down on exit, however the script ends (trap);
#  - a failure prints the blades' console and dmesg tails.
set -u
PROJ=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHASSIS="$PROJ/chassis/chassis"
# Tests never touch the user's default chassis.
export CHASSIS_DIR=${TEST_CHASSIS_DIR:-/tmp/pcieverbs-test/$(basename "$0" .sh)}
TAP_N=0
TAP_FAILED=0
NBLADES=0
DBG=/sys/kernel/debug/pcieverbs/pciev0

ch() { "$CHASSIS" "$@"; }

# bexec B [timeout] -- CMD...: run in blade B, output on stdout.
bexec() {
	local b=$1 t=60
	shift
	if [ "$1" != "--" ]; then t=$1; shift; fi
	[ "$1" = "--" ] && shift
	"$CHASSIS" exec "$b" --timeout "$t" -- "$@"
}

diag() { sed 's/^/# /'; }

dump_blades() {
	local b
	for ((b = 0; b < NBLADES; b++)); do
		"$CHASSIS" logs "$b" -n 25 2>&1 | diag
	done
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
	dump_blades
}

# check "description" CMD...: ok if CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# wait_for SECONDS CMD...: poll CMD until it succeeds or time runs out.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ((SECONDS < deadline)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@" >/dev/null 2>&1
}

finish() {
	"$CHASSIS" down >/dev/null 2>&1
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# chassis_up N [args]: boot, or fail the whole script (bail out).
chassis_up() {
	NBLADES=$1
	shift
	trap '"$CHASSIS" down >/dev/null 2>&1' EXIT
	"$CHASSIS" down >/dev/null 2>&1
	if "$CHASSIS" up -q -n "$NBLADES" "$@" 2>&1 | diag; then
		ok "chassis up with $NBLADES blades"
	else
		not_ok "chassis up with $NBLADES blades"
		echo "Bail out! chassis did not boot"
		finish
		exit 1
	fi
}

# A blade's debugfs test file: run a diagnostic command and print its result.
diag_run() {
	local b=$1
	shift
	bexec "$b" 300 -- sh -c "echo '$*' > $DBG/test; rc=\$?; cat $DBG/test; exit \$rc"
}

# Build mpi_tests/ (MT: its output folder) and check PROG came out of it; a
# test that cannot have its MPI programs reports that and stops here.
need_mpi_tests() {
	MT=$PROJ/build/mpi_tests
	if make -s -C "$PROJ/mpi_tests" 2>&1 | diag && [ -x "$MT/$1" ]; then
		ok "mpi_tests build"
	else
		not_ok "mpi_tests build"
		finish
		exit 1
	fi
}

# Kernel trouble in a blade's log: oops, BUG, warnings, lockdep, KASAN.
# Fails if dmesg cannot be read at all.
dmesg_clean() {
	local log bad
	log=$(bexec "$1" 30 -- dmesg) || return 1
	[ -n "$log" ] || return 1
	# On a hit, show the report around it, not only the matching line: a bare
	# "Call Trace:" in a CI log says nothing about what the kernel objected to.
	bad=$(grep -E -B4 -A14 "Oops|BUG:|WARNING:|Call Trace|general protection|KASAN|UBSAN" \
		<<<"$log") || return 0
	head -n 80 <<<"$bad" >&2
	return 1
}

peer_state() { # peer_state B P -> state of B's link to P
	bexec "$1" 30 -- cat $DBG/peers | awk -v p="$2" 'NR > 1 && $1 == p { print $2 }'
}

peer_reason() {
	bexec "$1" 30 -- cat $DBG/peers | awk -v p="$2" 'NR > 1 && $1 == p { print $3 }'
}

counter() { # counter B NAME
	bexec "$1" 30 -- cat "/sys/class/infiniband/pciev0/ports/1/hw_counters/$2"
}

# Is a host process alive?  A zombie is dead (orphans may not be reaped here).
proc_alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		[ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}
export -f proc_alive

# ib_ping FROM TO N: N echo requests over ib0 from blade FROM to blade TO's
# IPoIB address (10.201.0.<TO+1>), every one answered.  Output in
# $RC_TMP/ping.out.
ib_ping() {
	bexec "$1" 60 -- ping -c "$3" -W 5 -q "10.201.0.$(($2 + 1))" > "$RC_TMP/ping.out" 2>&1
	grep -q " $3 received" "$RC_TMP/ping.out"
}

# ---- RC verbs tests (t40-t60) ---------------------------------------------------
# The RC scripts run against pciev0 (by LID, no GRH) unless PCV_TEST_DEV=rxe:
# then against Soft-RoCE (rdma_rxe on the management link, GID index 1, GRH),
# the reference the scripts were proven on before pciev0 had queue pairs.
# After chassis_up, rc_dev_setup sets:
#   RC_DEV    device name              RC_GIDX  GID index for pcv_* (-1: LID)
#   PP_GID    ibv_*_pingpong GID args  PT_GID   perftest GID args
#   QP_ID     qperf device args        RC_TMP   scratch directory (removed on exit)
rc_dev_setup() {
	local b
	RC_TMP=$(mktemp -d /tmp/pcv-rc.XXXXXX)
	trap '"$CHASSIS" down >/dev/null 2>&1; rm -rf "$RC_TMP"' EXIT
	case "${PCV_TEST_DEV:-pciev0}" in
	rxe | rxe0)
		RC_DEV=rxe0 RC_GIDX=1 PP_GID="-g 1" PT_GID="-x 1" QP_ID="-cm1"
		# MTU 9000 (rxe active MTU 4096): a quarter of the packets, far
		# fewer ACK timeouts on a loaded host (rxe 6.1 mishandles some
		# retransmissions: see tests/conformance/README.md)
		for ((b = 0; b < NBLADES; b++)); do
			bexec $b 60 -- sh -c 'ip link set eth0 mtu 9000 && modprobe rdma_rxe &&
				{ rdma link show rxe0/1 >/dev/null 2>&1 ||
				  rdma link add rxe0 type rxe netdev eth0; } &&
				for i in $(seq 50); do
					grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state && exit 0
					sleep 0.1
				done; exit 1' 2>&1 | diag
			check "blade $b: Soft-RoCE rxe0 on eth0, port ACTIVE" test "${PIPESTATUS[0]}" = 0
		done
		;;
	*)
		RC_DEV=pciev0 RC_GIDX=-1 PP_GID="" PT_GID="" QP_ID="-i pciev0:1"
		;;
	esac
	echo "# RC tests on $RC_DEV (PCV_TEST_DEV=${PCV_TEST_DEV:-pciev0})"
	# A device without queue pairs fails here, quickly, instead of in every case.
	local maxqp
	maxqp=$(bexec 0 30 -- ibv_devinfo -v -d "$RC_DEV" 2>&1 | awk '/max_qp:/ { print $2 }')
	if [ -z "$maxqp" ] || [ "$maxqp" = 0 ]; then
		not_ok "$RC_DEV reports max_qp ${maxqp:-?}: no RC queue pairs to test"
		echo "Bail out! $RC_DEV has no queue pairs"
		finish
		exit 1
	fi
	ok "$RC_DEV has queue pairs (max_qp $maxqp)"
}

# bg_start TAG B TIMEOUT -- CMD...: run CMD in blade B in the background;
# output in $RC_TMP/TAG.out, exit status in $RC_TMP/TAG.rc when it ends.
bg_start() {
	local tag=$1 b=$2 t=$3
	shift 3
	[ "$1" = "--" ] && shift
	rm -f "$RC_TMP/$tag.rc" "$RC_TMP/$tag.rc.tmp"
	("$CHASSIS" exec "$b" --timeout "$t" -- "$@" > "$RC_TMP/$tag.out" 2>&1
	 echo $? > "$RC_TMP/$tag.rc.tmp" && mv "$RC_TMP/$tag.rc.tmp" "$RC_TMP/$tag.rc") &
}

# bg_wait TAG [S]: wait (at most S seconds, default 900; the job has its own
# exec timeout) for a background job; prints its exit status (255: none).
# Works inside $(...) too: it waits for the status file, not for the child.
bg_wait() {
	local deadline=$((SECONDS + ${2:-900}))
	while [ ! -e "$RC_TMP/$1.rc" ] && ((SECONDS < deadline)); do
		sleep 0.2
	done
	cat "$RC_TMP/$1.rc" 2>/dev/null || echo 255
}

bg_running() { [ ! -e "$RC_TMP/$1.rc" ]; }

# wait_listen TAG B PORT [S]: until blade B listens on TCP PORT (or TAG ended).
wait_listen() {
	local tag=$1 b=$2 port=$3 deadline=$((SECONDS + ${4:-30}))
	while ((SECONDS < deadline)) && bg_running "$tag"; do
		bexec "$b" 10 -- ss -Htln 2>/dev/null | grep -q ":$port " && return 0
		sleep 0.3
	done
	return 1
}

# rc_pair DESC PORT TIMEOUT 'SERVER CMD' 'CLIENT CMD': the server on blade 1
# in the background, the client on blade 0 once the server listens; ok when
# both exit 0.  Outputs stay in $RC_TMP/srv.out and $RC_TMP/cli.out; the
# client's last lines are shown as diagnostics.
rc_pair() {
	local desc=$1 port=$2 t=$3 scmd=$4 ccmd=$5 crc src t0=$SECONDS
	bg_start srv 1 "$t" -- sh -c "$scmd"
	if ! wait_listen srv 1 "$port" 60; then
		src=$(bg_wait srv)
		sed 's/^/server: /' "$RC_TMP/srv.out" | tail -n 15 | diag
		not_ok "$desc (the server never listened on $port; its status $src)"
		return 1
	fi
	bexec 0 "$t" -- sh -c "$ccmd" > "$RC_TMP/cli.out" 2>&1
	crc=$?
	src=$(bg_wait srv)
	if [ "$crc" = 0 ] && [ "$src" = 0 ]; then
		grep -E "iters in|usec/iter|^ *[0-9]+ +[0-9]+ +[0-9.]+|_(lat|bw):|latency|bw *=" \
			"$RC_TMP/cli.out" | tail -n 4 | diag
		ok "$desc ($((SECONDS - t0)) s)"
		return 0
	fi
	sed 's/^/client: /' "$RC_TMP/cli.out" | tail -n 20 | diag
	sed 's/^/server: /' "$RC_TMP/srv.out" | tail -n 20 | diag
	not_ok "$desc (client status $crc, server status $src)"
	return 1
}

# relay_tap PREFIX FILE: re-number the TAP lines of a tool's output into this
# script's TAP (ok/not ok), keeping its diagnostics.  Fails if any failed.
relay_tap() {
	local prefix=$1 file=$2 line bad=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "$prefix: $(sed -E 's/^ok [0-9]+ - //' <<<"$line")" ;;
		"not ok "*)
			TAP_N=$((TAP_N + 1)) TAP_FAILED=$((TAP_FAILED + 1)) bad=1
			echo "not ok $TAP_N - $prefix: $(sed -E 's/^not ok [0-9]+ - //' <<<"$line")"
			;;
		"#"*) echo "$line" ;;
		"Bail out!"*) echo "# $prefix: $line"; bad=1 ;;
		esac
	done < "$file"
	[ "$bad" = 0 ] || dump_blades
	[ "$bad" = 0 ]
}
