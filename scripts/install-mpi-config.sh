#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install the project's Open MPI and UCX configuration (etc/) under a root
# (default /; `make install` passes $(DESTDIR)), so that a plain
# `mpirun -np N --host ... ./prog` runs over pciev0 with pml ucx and osc ucx.
# The chassis runs it in every blade; `make install` on real machines.
#
#   scripts/install-mpi-config.sh [ROOT]
#
# Each file gets one block between "# >>> pcieverbs" and "# <<< pcieverbs"
# lines, replaced on every run (idempotent).  Open MPI takes the last value
# of a parameter, but Debian's own pml/osc/btl/mtl lines would still be read
# first and confuse whoever reads the file: they are kept, commented out,
# with a note.  Without Open MPI (no /etc/openmpi) its file is skipped.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${1:-/}
BEGIN='# >>> pcieverbs (etc/ of the pcieverbs project; managed block)'
END='# <<< pcieverbs'

# put_block FILE SRC [SED-SCRIPT for the lines outside the block]
put_block() {
	local f=$1 src=$2 outside=${3:-}
	mkdir -p "$(dirname "$f")"
	{
		if [ -f "$f" ]; then
			# Everything but an earlier block of ours, each line
			# ended (Debian's file lacks its last newline).
			sed -e '$a\' "$f" | sed "\\|^$BEGIN|,\\|^$END|d" | sed "${outside:-}"
		fi
		echo "$BEGIN"
		cat "$src"
		echo "$END"
	} > "$f.pcv-new"
	mv "$f.pcv-new" "$f"
}

if [ -d "$ROOT/etc/openmpi" ]; then
	put_block "$ROOT/etc/openmpi/openmpi-mca-params.conf" "$HERE/etc/openmpi-mca-params.conf" \
		's/^\([[:space:]]*\(pml\|osc\|btl\|mtl\)[[:space:]]*=.*\)/# (pcieverbs: replaced below) \1/'
	echo "installed $ROOT/etc/openmpi/openmpi-mca-params.conf"
else
	echo "no $ROOT/etc/openmpi: Open MPI's configuration skipped"
fi
put_block "$ROOT/etc/ucx/ucx.conf" "$HERE/etc/ucx.conf" \
	's/^\([[:space:]]*UCX_\(TLS\|NET_DEVICES\)[[:space:]]*=.*\)/# (pcieverbs: replaced below) \1/'
echo "installed $ROOT/etc/ucx/ucx.conf"
