#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Kernel code standards, as TAP: checkpatch.pl --strict (from Debian's
# linux-source package), a W=1 build with no warnings, sparse (C=2) clean.
# Covers kernel/, the libpcieverbs sources the module compiles, and the
# shared headers.
set -u
PROJ=$(cd "$(dirname "$0")/.." && pwd)
cd "$PROJ"
KVER=${1:-$(ls /boot/vmlinuz-* | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
KDIR=/lib/modules/$KVER/build
LINT=$PROJ/build/lint
mkdir -p "$LINT"
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# checkpatch.pl and its data files, unpacked once from linux-source.
CP=$LINT/scripts/checkpatch.pl
if [ ! -x "$CP" ]; then
	src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
	if [ -n "$src" ]; then
		top=$(basename "$src" .tar.xz)
		tar -xJf "$src" -C "$LINT" --strip-components=1 "$top/scripts/checkpatch.pl" \
			"$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch" 2>/dev/null
	fi
fi
FILES=(kernel/*.c kernel/*.h libpcieverbs/*.c libpcieverbs/include/pcv/osdep.h
	libpcieverbs/include/pcv/osdep_kernel.h libpcieverbs/include/pcv/link.h
	libpcieverbs/include/pcv/ring.h libpcieverbs/include/pcv/wire.h)
if [ -x "$CP" ]; then
	if "$CP" --strict --no-tree --terse --show-types --no-summary -f "${FILES[@]}" \
		> "$LINT/checkpatch.txt" 2>&1; then
		ok "checkpatch --strict: ${#FILES[@]} kernel files clean"
	else
		not_ok "checkpatch --strict"
		grep -v '^$' "$LINT/checkpatch.txt" | head -40 | sed 's/^/# /'
	fi
else
	skip "checkpatch --strict" "no linux-source package (make setup installs it)"
fi

if [ ! -d "$KDIR" ]; then
	skip "W=1 build" "no headers for $KVER"
	skip "sparse" "no headers for $KVER"
	echo "1..$n"
	exit 0
fi
# A full rebuild, so every file is compiled with W=1 and checked by sparse.
make -s -C "$KDIR" M="$PROJ" clean >/dev/null 2>&1
make -C "$KDIR" M="$PROJ" W=1 C=2 modules > "$LINT/build.txt" 2>&1
rc=$?
if [ $rc = 0 ] && ! grep -E "warning:|error:" "$LINT/build.txt" | grep -v "^.*CHECK " |
	grep -q "\.[ch]:[0-9]*:[0-9]*: warning:.*\[-W"; then
	ok "W=1 build without warnings"
else
	not_ok "W=1 build without warnings"
	grep -E "warning|error" "$LINT/build.txt" | head -30 | sed 's/^/# /'
fi
# sparse prints "file:line:col: warning/error: ..." lines with no [-W...] tag.
if [ $rc = 0 ] && ! grep -E "\.[ch]:[0-9]+:[0-9]+: (warning|error):" "$LINT/build.txt" |
	grep -qv "\[-W"; then
	ok "sparse (C=2) clean"
else
	not_ok "sparse (C=2) clean"
	grep -E "\.[ch]:[0-9]+:[0-9]+: (warning|error):" "$LINT/build.txt" | head -30 | sed 's/^/# /'
fi
echo "1..$n"
[ $failed = 0 ]
