# SPDX-License-Identifier: GPL-2.0
#
# make                 build hoguard.ko for the running kernel
# make KDIR=DIR        ... against the kernel headers in DIR
# make check           the whole test suite (unit, builds, style, VM tests)
# make demo            a VM that shows a host-only leak and hoguard stopping it
# make help            every target
#
# Everything but plain `make` and `make clean` is in scripts/; this file
# only names it.

KDIR ?= /lib/modules/$(shell uname -r)/build
SERIES ?= 6.1 6.12
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
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '3,8p'
	@echo "make unit          unit tests only (no VM)"
	@echo "make build-all     W=1 + sparse builds for SERIES ($(SERIES))"
	@echo "make checkpatch    checkpatch.pl --strict on the module sources"

.PHONY: all modules clean unit check demo setup checkpatch build-all help
