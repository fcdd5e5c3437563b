#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A chassis whose control region speaks another version: the driver refuses
# to load with a clear message, `chassis up` reports the blade's console and
# fails, and nothing is left running.
. "$(dirname "$0")/../lib.sh"

NBLADES=1
trap '"$CHASSIS" down >/dev/null 2>&1' EXIT
"$CHASSIS" down >/dev/null 2>&1
out=$("$CHASSIS" up -n 1 --timeout 60 --ctrl-version 9.0 2>&1)
rc=$?
echo "$out" | diag
check "chassis up fails when the blade cannot load its driver" test "$rc" != 0
check "the blade's console explains: control region version 9.0 unsupported" \
	grep -q "chassis control region version 9.0 unsupported: driver speaks 1.x" <<<"$out"
check "the failure names the blade" grep -q "blade 0 failed to boot" <<<"$out"
check "no kernel oops on the way" bash -c '! grep -qE "Oops|BUG:|Call Trace" <<<"$1"' _ "$out"
pid=$(cat "$CHASSIS_DIR/blade0/qemu.pid" 2>/dev/null)
check "the failed chassis was torn down (QEMU $pid gone)" \
	bash -c '[ -n "$1" ] && ! proc_alive "$1"' _ "$pid"
check "and its daemon too" bash -c '! "$1" status >/dev/null 2>&1' _ "$CHASSIS"
finish
