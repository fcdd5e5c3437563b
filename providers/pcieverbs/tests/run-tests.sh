#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
#
# Tests of libpcieverbs-rdmav34.so without any kernel driver.  TAP output;
# exit status non-zero if any test failed.
#
#   run-tests.sh BUILD SRCDIR TOP      (the Makefile's `test` target)
#
# 1. source cross-check of pcv_provider_abi.h against rdma-core v44's
#    private headers ($RDMA_CORE_SRC; skipped if absent)
# 2. binary check of verbs_context_ops against the installed libibverbs.so.1
# 3. the .so exports nothing and binds to IBVERBS_PRIVATE_34
# 4. in a private mount namespace (unshare -m): a fake sysfs tree and
#    /dev/infiniband, then device matching through the real libibverbs
#    (ns-tests.sh), and alloc_context/query/PD against a fake kernel.
set -u

BUILD=$1
SRC=$2
TOP=$3
: "${CC:=cc}"
: "${RDMA_CORE_SRC:=/opt/ref/rdma-core}"

T=$BUILD/providers/pcieverbs-tests
LIB=$BUILD/providers/libpcieverbs-rdmav34.so
RES=$T/results.tap
mkdir -p "$T"
: > "$RES"

pass() { echo "ok - $*" >> "$RES"; }
fail() { echo "not ok - $*" >> "$RES"; }
skip() { echo "ok - $1 # SKIP $2" >> "$RES"; }
diag() { sed 's/^/# /' >> "$RES"; }

# Run a program that prints unnumbered TAP lines; its stderr becomes
# diagnostics, and a crash or failing exit without a "not ok" is a failure.
run_tap() {
	name=$1; shift
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	cat "$T/out" >> "$RES"
	diag < "$T/err"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$T/out"; then
		fail "$name exited with status $rc"
	fi
}
export RES T

# ---- 1. source cross-check -------------------------------------------------
xc_skip=""
[ -f "$RDMA_CORE_SRC/libibverbs/driver.h" ] ||
	xc_skip="rdma-core v44 source not found at $RDMA_CORE_SRC"
[ -z "$xc_skip" ] && ! command -v python3 > /dev/null &&
	xc_skip="python3 needed to generate kernel-abi headers"
if [ -n "$xc_skip" ]; then
	skip "pcv_provider_abi.h equals rdma-core v44 driver.h/kern-abi.h" "$xc_skip"
else
	# An include tree shaped like rdma-core's build/include.
	X=$T/xcheck
	rm -rf "$X"
	mkdir -p "$X/include/infiniband" "$X/include/kernel-abi"
	for h in verbs.h verbs_api.h driver.h kern-abi.h cmd_ioctl.h \
		 cmd_write.h arch.h opcode.h tm_types.h sa.h sa-kern-abi.h; do
		ln -s "$RDMA_CORE_SRC/libibverbs/$h" "$X/include/infiniband/$h"
	done
	ln -s "$RDMA_CORE_SRC/kernel-headers/rdma/ib_user_ioctl_verbs.h" \
		"$X/include/infiniband/ib_user_ioctl_verbs.h"
	pabi=$(sed -n 's/^set(IBVERBS_PABI_VERSION "\([0-9]*\)").*/\1/p' \
		"$RDMA_CORE_SRC/CMakeLists.txt")
	printf '#define IBVERBS_PABI_VERSION %s\n' "${pabi:-unknown}" \
		> "$X/include/config.h"
	if python3 "$RDMA_CORE_SRC/buildlib/make_abi_structs.py" \
		"$RDMA_CORE_SRC/kernel-headers/rdma/ib_user_verbs.h" \
		"$X/include/kernel-abi/ib_user_verbs.h" 2> "$T/err" &&
	   $CC -std=gnu11 -Wall -o "$X/pcv_abi_xcheck" \
		-I "$X/include" -I "$RDMA_CORE_SRC" \
		-I "$RDMA_CORE_SRC/kernel-headers" -I "$SRC" -I "$TOP/include" \
		-I "$TOP/libpcieverbs/include" \
		"$SRC/tests/pcv_abi_xcheck.c" 2> "$T/err"; then
		run_tap "pcv_abi_xcheck" "$X/pcv_abi_xcheck"
	else
		fail "pcv_provider_abi.h equals rdma-core v44 driver.h/kern-abi.h (does not compile)"
		grep -E 'error|assert' "$T/err" | head -40 | diag
	fi
fi

# ---- 2. binary layout against libibverbs.so.1 ----------------------------
run_tap "pcv_binary_layout" "$T/pcv_binary_layout"

# ---- 2b. when an empty poll enters the kernel (kick.h) --------------------
run_tap "pcv_kick_test" "$T/pcv_kick_test"

# ---- 3. what the .so exports and binds to --------------------------------
if command -v nm > /dev/null && command -v objdump > /dev/null; then
	exports=$(nm -D --defined-only "$LIB" | awk '{print $3}')
	if [ -z "$exports" ]; then
		pass "libpcieverbs-rdmav34.so exports no symbols"
	else
		fail "libpcieverbs-rdmav34.so exports no symbols"
		echo "$exports" | diag
	fi
	if objdump -T "$LIB" | grep -q 'IBVERBS_PRIVATE_34.*verbs_register_driver_34$'; then
		pass "binds verbs_register_driver_34@IBVERBS_PRIVATE_34"
	else
		fail "binds verbs_register_driver_34@IBVERBS_PRIVATE_34"
	fi
	if objdump -h "$LIB" | grep -q '\.init_array'; then
		pass "registration constructor kept (.init_array present)"
	else
		fail "registration constructor kept (.init_array present)"
	fi
else
	skip "libpcieverbs-rdmav34.so exports no symbols" "binutils (nm, objdump) not installed"
fi

# ---- 4. load tests in a private mount namespace ---------------------------
UNSHARE=""
if command -v unshare > /dev/null; then
	if unshare -m --propagation private true 2> /dev/null; then
		UNSHARE="unshare -m --propagation private"
	elif unshare -r -m --propagation private true 2> /dev/null; then
		# Not root: a user namespace gives us mount rights.
		UNSHARE="unshare -r -m --propagation private"
	fi
fi
if [ -z "$UNSHARE" ]; then
	skip "provider load tests on a fake sysfs tree" \
		"unshare -m unavailable (no unshare, or no permission for a mount namespace)"
else
	$UNSHARE sh "$SRC/tests/ns-tests.sh" "$BUILD" "$SRC" 2> "$T/ns-err"
	rc=$?
	diag < "$T/ns-err"
	[ $rc -eq 0 ] || grep -q '^not ok' "$RES" ||
		fail "namespace tests exited with status $rc"
fi

# ---- TAP -------------------------------------------------------------------
n=$(grep -c '^\(not \)\{0,1\}ok' "$RES")
echo "1..$n"
awk '/^(not )?ok/ { k++; sub(/^ok/, "ok " k); sub(/^not ok/, "not ok " k) } { print }' "$RES"
if grep -q '^not ok' "$RES"; then
	exit 1
fi
exit 0
