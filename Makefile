# SPDX-License-Identifier: GPL-2.0
#
# make                 build hoguard.ko for the running kernel
# make KDIR=DIR        ... against the kernel headers in DIR
# make check           the whole test suite (unit, builds, style, VM tests)
# make demo            a VM that shows a host-only leak and hoguard stopping it
# sudo make dkms-install   install through DKMS: rebuilt for every new kernel
# make deb             the hoguard-dkms Debian package (DKMS), in .cache/deb
# make help            every target
#
# Everything but plain `make` and `make clean` is in scripts/; this file
# only names it.

KDIR ?= /lib/modules/$(shell uname -r)/build
# The kernel series make check builds and tests (scripts/setup knows them):
# Debian's 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm-security),
# 7.2 (sid), 7.3-rc (experimental), 6.12 PREEMPT_RT and 6.12 arm64 (trixie).
SERIES ?= 5.10 6.1 6.12 7.2 7.3-rc 6.12-rt 6.12-arm64
UNIT_CC ?= gcc
UNIT_CFLAGS ?= -std=gnu11 -O1 -g -Wall -Wextra -Wno-sign-compare \
	-Wno-unused-parameter -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -f tests/unit/test_core

# Unit tests of the module's own core, compiled in userspace.
tests/unit/test_core: hoguard.c hoguard.h tests/unit/test_core.c tests/unit/hoguard_user.h
	$(UNIT_CC) $(UNIT_CFLAGS) -Itests/unit -o $@ tests/unit/test_core.c

unit: tests/unit/test_core
	tests/unit/test_core

check:
	scripts/check $(SERIES)

print-series:
	@echo $(SERIES)

demo:
	scripts/demo

setup:
	scripts/setup

checkpatch:
	scripts/setup checkpatch
	perl .cache/checkpatch/checkpatch.pl --no-tree --strict -f hoguard.c hoguard.h

# W=1 and sparse (C=2) against the cached Debian headers of each series.
build-all:
	for s in $(SERIES); do scripts/build-module $$s C=2 >/dev/null || exit 1; done

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '3,10p'
	@echo "make unit          unit tests only (no VM)"
	@echo "make build-all     W=1 + sparse builds for SERIES ($(SERIES))"
	@echo "make checkpatch    checkpatch.pl --strict on the module sources"
	@echo "sudo make bench    forwarding cost per packet (BENCH_SERIES: $(BENCH_SERIES))"
	@echo "sudo make figures  what any user can make: teardown, events, writes (stress part e)"
	@echo "sudo make install | uninstall           without DKMS, for KVER (default: running);"
	@echo "                   hoguardctl under PREFIX (/usr/local), DESTDIR stages"
	@echo "sudo make dkms-install | dkms-remove    DKMS, /usr/src/hoguard-VERSION, KVER"
	@echo "sudo make config-install | config-remove  /etc/modprobe.d + modules-load.d"
	@echo "                   (HOSTONLY=... SUBNETS=...; see README.md, Installing)"

.PHONY: all modules clean unit check print-series demo setup checkpatch build-all help

# Installing on this machine (scripts/install; README.md, Installing).
# Root needed. KVER=RELEASE targets another installed kernel.
# KVER and KDIR reach it only when set by the user (KDIR's default above is
# the running kernel's; scripts/install derives it from KVER).
INSTALL_ENV = $(foreach v,KVER KDIR,$(if $(filter command% environment%,$(origin $(v))),$(v)='$($(v))'))
# make install puts hoguardctl, its man page and hoguard.service under
# PREFIX; DESTDIR stages everything (the module too) under another root.
PREFIX ?= /usr/local
DESTDIR ?=
CTL_ENV = PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)'


install:
	$(INSTALL_ENV) $(CTL_ENV) scripts/install install

uninstall:
	$(INSTALL_ENV) $(CTL_ENV) scripts/install uninstall

dkms-install:
	$(INSTALL_ENV) $(CTL_ENV) scripts/install dkms-install

dkms-remove:
	$(CTL_ENV) scripts/install dkms-remove

config-install:
	scripts/install config-install

config-remove:
	scripts/install config-remove

deb:
	scripts/build-deb

.PHONY: install uninstall dkms-install dkms-remove config-install config-remove deb

# libFuzzer (clang, ASan + UBSan) over the module's core, compiled in
# userspace: make fuzz [FUZZ_SECONDS=N] or [FUZZ_RUNS=N]; see tests/fuzz/run.sh.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run.sh

.PHONY: fuzz

# A KASAN/UBSAN/KMEMLEAK/lockdep kernel built from Debian's linux-source-6.1,
# and the end-to-end and stress suites on it: see tests/debug-kernel/.
check-debug:
	tests/debug-kernel/check.sh

.PHONY: check-debug

# Forwarding cost of hoguard vs no hook, an empty hook, nftables, iptables:
# guest instructions per packet in one-CPU VMs (tests/bench, scripts/bench).
# Prints a table; fails only when it cannot run, never on a number.
BENCH_SERIES ?= 6.1 6.12
bench:
	scripts/bench $(BENCH_SERIES)

.PHONY: bench

# What any user can make, as figures with their targets (namespace
# teardown, device events beside a /proc reader, root's writes beside
# 10,000 unprivileged devices): stress part e, tests/stress/stress.sh.
# Wall-time ratios, so a benchmark, not a part of make check.
FIGURES_SERIES ?= 6.1 6.12
figures:
	for s in $(FIGURES_SERIES); do tests/stress/run.sh $$s e || exit 1; done

.PHONY: figures
