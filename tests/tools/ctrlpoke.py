#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Scribble on the chassis control region from inside a blade (tests only).

The control region is BAR2 of the doorbell function (slot 08).  sysfs lets
root map it while no driver has claimed it, i.e. with pcieverbs unloaded.
Layout: chassis/include/pcv_chassis_hw.h.

  ctrlpoke.py show
  ctrlpoke.py set-magic VALUE|default
  ctrlpoke.py set-spad BLADE INDEX VALUE
"""
import mmap
import os
import struct
import sys

RES = "/sys/bus/pci/devices/0000:00:08.0/resource2"
MAGIC = 0x314C525443564350
BLOCK_OFF, BLOCK_SIZE, SPAD_OFF = 0x1000, 0x1000, 0x80


def main():
    fd = os.open(RES, os.O_RDWR | os.O_SYNC)
    m = mmap.mmap(fd, 0x10000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    cmd = sys.argv[1:]
    if cmd == ["show"]:
        magic, vmaj, vmin, hsize, nbl = struct.unpack_from("<QHHII", m, 0)
        print(f"magic {magic:#018x} version {vmaj}.{vmin} blades {nbl}")
    elif len(cmd) == 2 and cmd[0] == "set-magic":
        val = MAGIC if cmd[1] == "default" else int(cmd[1], 0)
        struct.pack_into("<Q", m, 0, val)
        print(f"magic = {val:#018x}")
    elif len(cmd) == 4 and cmd[0] == "set-spad":
        blade, idx, val = int(cmd[1]), int(cmd[2]), int(cmd[3], 0)
        struct.pack_into("<I", m, BLOCK_OFF + blade * BLOCK_SIZE + SPAD_OFF + 4 * idx, val)
        print(f"blade {blade} spad[{idx}] = {val:#x}")
    else:
        sys.exit(__doc__)
    m.close()


if __name__ == "__main__":
    main()
