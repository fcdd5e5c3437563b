#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Faults: a blade that dies (QEMU killed) and comes back, a blade that hangs
# (paused) and resumes; and the CLI's answers to wrong requests.
. "$(dirname "$0")/../lib.sh"

chassis_up 2

# ---- CLI errors are clear and non-zero ------------------------------------------
out=$(ch exec 5 -- true 2>&1); rc=$?
check "exec on an unknown blade: exit 2 with a message ($out)" \
	bash -c '[ "$1" = 2 ] && grep -q "no blade 5" <<<"$2"' _ "$rc" "$out"
out=$(ch exec 0 2>&1); rc=$?
check "exec with no command: exit 2 with usage" test "$rc" = 2
out=$(ch up -n 9 2>&1); rc=$?
check "up -n 9: refused ($out)" bash -c '[ "$1" = 2 ] && grep -q "1..8" <<<"$2"' _ "$rc" "$out"
out=$(ch up -n 2 2>&1); rc=$?
check "up while up: refused" bash -c '[ "$1" != 0 ] && grep -q "already up" <<<"$2"' _ "$rc" "$out"
out=$(env PATH=/nonexistent CHASSIS_DIR="$CHASSIS_DIR-noqemu" /usr/bin/python3 "$CHASSIS" up -n 1 2>&1); rc=$?
check "QEMU missing: clear error" bash -c '[ "$1" != 0 ] && grep -q "qemu-system-x86_64 not found" <<<"$2"' \
	_ "$rc" "$out"
bexec 0 -- sh -c 'exit 7'
check "exec returns the command's exit status" test $? = 7
out=$(bexec 1 -- sh -c 'echo out; echo err >&2' 2>/dev/null)
check "exec streams stdout" test "$out" = out
t0=$SECONDS
ch exec 0 --timeout 2 -- sleep 60 >/dev/null 2>&1; rc=$?
check "exec --timeout cancels a hung command (rc $rc after $((SECONDS - t0)) s)" \
	bash -c '[ "$1" = 124 ] && [ "$2" -lt 20 ]' _ "$rc" "$((SECONDS - t0))"
check "the cancelled command is gone from the blade" \
	bexec 0 -- sh -c '! pgrep -x "sleep"'

# ---- a blade dies ---------------------------------------------------------------
downs=$(counter 0 link_down_events)
ch kill 1 | diag
t0=$SECONDS
check "blade 0: link to the dead blade 1 down within 5 s" \
	wait_for 5 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" = down ]"
echo "# detected after $((SECONDS - t0)) s (bound 5 s)"
check "blade 0: the reason is absent" test "$(peer_reason 0 1)" = absent
check "blade 0: link_down_events counted it" test "$(counter 0 link_down_events)" -gt "$downs"
check "blade 0: links_up counter is 0" test "$(counter 0 links_up)" = 0
check "blade 0: its own port stays ACTIVE" \
	bexec 0 -- grep -q ACTIVE /sys/class/infiniband/pciev0/ports/1/state
res=$(diag_run 0 "ping 1 1" 2>&1 | tail -1)
check "blade 0: a ping to the dead blade fails cleanly ($res)" grep -q "^error ping" <<<"$res"
check "blade 0: no oops after its peer died" dmesg_clean 0

# ---- it comes back ----------------------------------------------------------------
ch start 1 -q 2>&1 | diag
check "blade 1 boots again" test "${PIPESTATUS[0]}" = 0
check "blade 0: link to blade 1 up again" \
	wait_for 15 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" = up ]"
check "blade 1: link to blade 0 up" test "$(peer_state 1 0)" = up
res=$(diag_run 0 "verify dma write 1 50 4242")
echo "$res" | diag
crc=$(bexec 1 -- cat $DBG/diag_crc)
check "DMA into the rebooted blade, every byte checked" \
	bash -c 'grep -q "^ok verify.*errors=0.*checksum=$2" <<<"$1"' _ "$res" "$crc"

# ---- a blade hangs (still powered, silent) ---------------------------------------
ch pause 1 | diag
t0=$SECONDS
check "blade 0: link to the hung blade 1 down by heartbeat timeout" \
	wait_for 10 bash -c "$CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1' | grep -q 'handshake.*heartbeat-timeout'"
echo "# detected after $((SECONDS - t0)) s (timeout 5 s + tick)"
check "heartbeat_timeouts counter counted it" test "$(counter 0 heartbeat_timeouts)" -ge 1
ch resume 1 | diag
check "blade 0: link to blade 1 up again after it resumes" \
	wait_for 15 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" = up ]"
check "blade 1: link to blade 0 up again" \
	wait_for 15 bash -c "[ \"\$($CHASSIS exec 1 -- cat $DBG/peers | awk '\$1==0{print \$2}')\" = up ]"
res=$(diag_run 1 "ping 0 10")
check "doorbells work both ways after the hang" grep -q "^ok ping" <<<"$res"

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
pids=$(cat "$CHASSIS_DIR"/blade*/qemu.pid "$CHASSIS_DIR"/chassisd.pid 2>/dev/null)
ch down >/dev/null
check "no QEMU or daemon of this chassis left after down ($(echo $pids))" \
	bash -c 'for p in $1; do ! proc_alive $p || exit 1; done; [ -n "$1" ]' _ "$pids"
finish
