# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# pcieverbs: InfiniBand verbs over PCIe between blades.
#
#   make            build everything (module, provider, libpcieverbs, chassis, guest images,
#                   MPI test programs)
#   make demo       install what is needed, build, boot a 2-blade chassis, show the fabric
#   make check      install what is needed, build, run the whole test suite
#   make setup      install the Debian packages (idempotent)
#   make install    install the module and the provider on this machine (DESTDIR-aware)
#   make lint       checkpatch --strict, W=1 and sparse on the kernel code
#   make clean
#
# The kernel module is built for the guest kernel the blades boot: the newest
# one under /boot (never a hard-coded version).

PROJ := $(CURDIR)
BUILD := $(PROJ)/build
KVER ?= $(shell ls /boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -1)
KDIR ?= /lib/modules/$(KVER)/build
CC ?= gcc
CFLAGS_USER := -O2 -g -Wall -Wextra -Werror -std=gnu11

GUEST := $(BUILD)/guest
VMLINUX := $(GUEST)/vmlinux-$(KVER)
INITRD := $(GUEST)/initrd-$(KVER).cpio
AGENT := $(BUILD)/chassis/pcv-agent

.PHONY: all setup module provider libpcieverbs mpi_tests chassis guest check demo install lint \
	clean check-kver

all: module provider libpcieverbs mpi_tests chassis guest

setup:
	@scripts/setup.sh

check-kver:
	@test -n "$(KVER)" || { echo "no kernel under /boot: run make setup" >&2; exit 1; }
	@test -d "$(KDIR)" || { echo "no headers for $(KVER) in $(KDIR): run make setup" >&2; exit 1; }

module: check-kver
	$(MAKE) -C $(KDIR) M=$(PROJ) modules

provider:
	$(MAKE) -C providers/pcieverbs BUILD=$(BUILD)

libpcieverbs:
	$(MAKE) -C libpcieverbs BUILD=$(BUILD)

# MPI programs that check every byte they move (mpi_tests/run-all runs them).
mpi_tests:
	$(MAKE) -C mpi_tests BUILD=$(BUILD)

chassis: $(AGENT)
	$(MAKE) -C chassis BUILD=$(BUILD)

$(AGENT): chassis/guest/pcv-agent.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -o $@ $<

guest: $(VMLINUX) $(INITRD)

$(VMLINUX): check-kver
	@mkdir -p $(GUEST)
	@test -f $@ || python3 chassis/guest/extract-vmlinux.py /boot/vmlinuz-$(KVER) $@

$(INITRD): chassis/guest/init chassis/guest/blade-init chassis/guest/mkinitramfs.py
	@mkdir -p $(GUEST)
	python3 chassis/guest/mkinitramfs.py --kver $(KVER) --init chassis/guest/init \
		--blade-init chassis/guest/blade-init -o $@

# The two commands of the README.  Both install what they need first.
demo: setup
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

check: setup
	@$(MAKE) --no-print-directory all
	@tests/run

install: module provider
	$(MAKE) -C $(KDIR) M=$(PROJ) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		modules_install
	$(MAKE) -C providers/pcieverbs BUILD=$(BUILD) DESTDIR=$(DESTDIR) install
	scripts/install-mpi-config.sh $(or $(DESTDIR),/)

lint: check-kver
	@scripts/lint.sh $(KVER)

clean:
	-$(MAKE) -C $(KDIR) M=$(PROJ) clean 2>/dev/null
	rm -rf $(BUILD)
