#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Build a blade's initramfs: busybox, the virtio/9p/overlay modules of the
guest kernel (with their dependencies, in load order, from modules.dep), the
initramfs /init and the blade init that runs after switch_root.

Written as an uncompressed newc cpio: the kernel unpacks it faster than any
compressed one under TCG, and nothing needs cpio installed on the host.
"""
import argparse
import os
import stat
import sys

# What the initramfs must load to reach the root filesystem over 9p.
WANTED = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]


def load_deps(moddir):
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[path.strip()] = rest.split()
    return deps


def resolve(moddir, names):
    """Module paths for names and everything they need, dependencies first."""
    deps = load_deps(moddir)
    by_name = {}
    for path in deps:
        base = os.path.basename(path)
        for ext in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
            if base.endswith(ext):
                by_name[base[: -len(ext)].replace("-", "_")] = path
    order, seen = [], set()

    def visit(path):
        if path in seen:
            return
        seen.add(path)
        for d in deps.get(path, []):
            visit(d)
        order.append(path)

    for n in names:
        path = by_name.get(n.replace("-", "_"))
        if path is None:
            sys.exit(f"mkinitramfs: module {n} not found under {moddir}")
        visit(path)
    for path in order:
        if not path.endswith(".ko"):
            sys.exit(f"mkinitramfs: {path} is compressed; busybox insmod needs plain .ko")
    return order


class Cpio:
    def __init__(self):
        self.data = bytearray()
        self.ino = 1

    def add(self, name, mode, payload=b""):
        n = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, 1, 0, len(payload), 0, 0, 0, 0, len(n), 0)
        self.ino += 1
        self.data += b"070701" + "".join("%08X" % v for v in fields).encode() + n
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += payload
        self.data += b"\0" * (-len(self.data) % 4)

    def dir(self, name):
        self.add(name, stat.S_IFDIR | 0o755)

    def file(self, name, payload, mode=0o644):
        self.add(name, stat.S_IFREG | mode, payload)

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kver", required=True, help="guest kernel version (from /boot)")
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--init", required=True, help="initramfs /init script")
    ap.add_argument("--blade-init", required=True, help="script run after switch_root")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    moddir = f"/lib/modules/{a.kver}"
    mods = resolve(moddir, WANTED)
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "mnt", "lib", "lib/modules"):
        c.dir(d)
    c.file("bin/busybox", open(a.busybox, "rb").read(), 0o755)
    for m in mods:
        c.file("lib/modules/" + os.path.basename(m), open(os.path.join(moddir, m), "rb").read())
    c.file("modules.order", ("\n".join(os.path.basename(m) for m in mods) + "\n").encode())
    c.file("init", open(a.init, "rb").read(), 0o755)
    c.file("blade-init", open(a.blade_init, "rb").read(), 0o755)
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(c.finish())
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
