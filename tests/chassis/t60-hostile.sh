#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A hostile user on each of two blades (tests/tools/pcv_hostile: scribbles
# garbage over every queue mapping of its own uverbs context, then posts and
# polls), connected to each other and in loopback, while a legitimate
# ibv_rc_pingpong with data validation runs between the blades.  Afterwards:
# both kernels up with no oops, the hostile processes saw their QPs fail
# (pciev0: every hostile QP in ERR), the legitimate pingpong completed every
# iteration, and a new pingpong still works.  PCV_TEST_DEV=rxe: the same
# against Soft-RoCE (whose kernel does not validate user rings: the strict
# ERR check is skipped there; Linux 6.1's rxe panics on it, in req_next_wqe).
# PCV_HOSTILE_DRY=1: pcv_hostile -n (no scribbling), to check this harness.
. "$(dirname "$0")/../lib.sh"

HOSTILE=$PROJ/build/conformance/pcv_hostile
make -s -C "$PROJ/tests/conformance" 2>&1 | diag
check "pcv_hostile builds" test -x "$HOSTILE"

chassis_up 2
rc_dev_setup

# how fast is a validated pingpong here?  Size the legitimate run to outlast
# the hostile ones (their scribbling has a 20 s budget): ~25 s at the
# baseline's rate.  The baseline runs 2000 iterations, not 50: 50 measured
# mostly the start (172 us/iter where the run then did 52), and with a cap of
# 100000 the legitimate run lasted 5 s, once (CI, 12-08) less than the
# hostile runs' 3 s plus their start.
rc_pair "baseline: ibv_rc_pingpong -c -n 2000" 18600 120 \
	"ibv_rc_pingpong -d $RC_DEV $PP_GID -p 18600 -c -n 2000" \
	"ibv_rc_pingpong -d $RC_DEV $PP_GID -p 18600 -c -n 2000 blade1"
us=$(sed -n 's/.* = \([0-9.]*\) usec\/iter/\1/p' "$RC_TMP/cli.out" | head -1)
iters=$(awk -v us="${us:-1000}" 'BEGIN { n = int(25e6 / (us > 1 ? us : 1)); if (n < 200) n = 200;
	if (n > 1000000) n = 1000000; print n }')
echo "# baseline ${us:-?} usec/iter: the legitimate pingpong runs $iters iterations"

legit="ibv_rc_pingpong -d $RC_DEV $PP_GID -p 18601 -c -n $iters"
bg_start lsrv 1 600 -- $legit
wait_listen lsrv 1 18601 60 || not_ok "legitimate pingpong server listening"
bg_start lcli 0 600 -- $legit blade1
sleep 2

dry=()
[ "${PCV_HOSTILE_DRY:-0}" = 1 ] && dry=(-n) && echo "# PCV_HOSTILE_DRY=1: no scribbling"
fe=(0 0)
[ "$RC_DEV" = pciev0 ] && fe=($(counter 0 fast_enter) $(counter 1 fast_enter))
t0=$SECONDS
bg_start h0 0 300 -- "$HOSTILE" "${dry[@]}" -d "$RC_DEV" -g "$RC_GIDX" -L 18700 -W 60 -r 12 -T 20 -s 1
bg_start h1 1 300 -- "$HOSTILE" "${dry[@]}" -d "$RC_DEV" -g "$RC_GIDX" -P blade0:18700 -W 60 -r 12 \
	-T 20 -s 2
h0=$(bg_wait h0)
h1=$(bg_wait h1)
echo "# hostile runs: $((SECONDS - t0)) s"
overlap=no
bg_running lcli && overlap=yes
for b in 0 1; do
	out=$RC_TMP/h$b.out
	rc=$h0
	[ $b = 1 ] && rc=$h1
	grep -vE '^#   ' "$out" | grep -E '^(hostile|# [0-9]+ mapping|# remote|# completions|# warm|# fast|# time)' |
		sed "s/^/blade $b: /" | diag
	check "blade $b: pcv_hostile ran to the end (exit 0, got $rc; 3 = it crashed itself)" \
		test "$rc" = 0
	check "blade $b: pcv_hostile found uverbs mappings to scribble" \
		grep -qE 'hostile: .* mappings=[1-9]' "$out"
	check "blade $b: pcv_hostile's remote QP connected to the other blade" \
		grep -q '^# remote QP' "$out"
	# Its remote QP took the fast path first (design 12.9): the scribbled
	# mappings include its inbound region and the window onto the peer's.
	[ "$RC_DEV" = pciev0 ] &&
		check "blade $b: the hostile remote QP was on the fast path before the scribbling" \
			test "$(counter $b fast_enter)" -gt "${fe[$b]}"
	verdict=$(sed -n 's/^hostile: verdict: qps_in_error=\([0-9]*\/[0-9]*\).*/\1/p' "$out")
	if [ ${#dry[@]} != 0 ]; then
		check "blade $b: dry run: no errors, no QP in ERR ($verdict)" \
			bash -c 'grep -q "errors_seen=no" "$1" && [ "${2%/*}" = 0 ]' _ "$out" "$verdict"
		continue
	fi
	check "blade $b: the hostile process saw errors (failed posts/polls, error completions, faults)" \
		grep -q 'errors_seen=yes' "$out"
	if [ "$RC_DEV" = pciev0 ]; then
		check "blade $b: every hostile QP in ERR (qps_in_error=$verdict)" \
			test -n "$verdict" -a "${verdict%/*}" = "${verdict#*/}"
	else
		ok "blade $b: every hostile QP in ERR (qps_in_error=$verdict) # SKIP $RC_DEV does not validate user rings"
	fi
done
check "the legitimate pingpong was still running when the hostile users finished" \
	test "$overlap" = yes

crc=$(bg_wait lcli)
src=$(bg_wait lsrv)
grep -E "iters in" "$RC_TMP/lcli.out" | diag
check "legitimate ibv_rc_pingpong -c: client exit 0 (got $crc), server exit 0 (got $src)" \
	test "$crc/$src" = 0/0
check "legitimate ibv_rc_pingpong -c: all $iters iterations on both sides" \
	bash -c 'grep -q "^$1 iters in" "$2" && grep -q "^$1 iters in" "$3"' _ \
	"$iters" "$RC_TMP/lcli.out" "$RC_TMP/lsrv.out"

rc_pair "a new ibv_rc_pingpong -c after the hostile runs" 18602 120 \
	"ibv_rc_pingpong -d $RC_DEV $PP_GID -p 18602 -c -n 100" \
	"ibv_rc_pingpong -d $RC_DEV $PP_GID -p 18602 -c -n 100 blade1"
for b in 0 1; do
	check "blade $b: kernel up (a command runs)" bexec $b 30 -- true
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
