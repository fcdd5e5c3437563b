#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Extract the uncompressed ELF vmlinux from a Debian x86 bzImage.

Debian's bzImage is XZ-compressed; under TCG the guest spends ~8 s
unpacking it at every boot.  QEMU boots the ELF directly (PVH entry), so we
unpack once on the host.
"""
import lzma
import sys

XZ_MAGIC = b"\xfd7zXZ\x00"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py BZIMAGE OUTPUT")
    data = open(sys.argv[1], "rb").read()
    pos = data.find(XZ_MAGIC)
    if pos < 0:
        sys.exit(f"{sys.argv[1]}: no XZ payload found")
    out = lzma.LZMADecompressor().decompress(data[pos:])
    if out[:4] != b"\x7fELF":
        sys.exit(f"{sys.argv[1]}: payload is not an ELF image")
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    import os
    os.replace(tmp, sys.argv[2])


if __name__ == "__main__":
    main()
