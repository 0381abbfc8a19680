# SPDX-License-Identifier: GPL-2.0
#
# STT out-of-tree module.
#
#   make                build stt.ko for the running kernel (or KDIR=...)
#   make install        install stt.ko and <linux/stt.h>, run depmod
#   make demo           everything needed, then the demo in a QEMU guest
#   make check          everything needed, then every test on two kernels
#   make bench          everything needed, then STT's speed against TCP and
#                       kTLS in a QEMU guest (a benchmark, not a test)
#   make profile        a bulk STT run under perf in the guest: the top
#                       symbols and a flame graph in build/
#   make fuzz           everything needed, then each libFuzzer harness of the
#                       pure protocol code for FUZZ_SECONDS (default 600);
#                       FUZZ="codec ranges" runs only those harnesses
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr
FUZZ_SECONDS ?= 600
FUZZ ?=

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	install -D -m 0644 uapi/linux/stt.h $(DESTDIR)$(PREFIX)/include/linux/stt.h
	depmod -a $(KVER)

deps:
	selftests/deps.sh

check: deps
	selftests/check.sh

demo: deps
	tools/demo.sh

bench: deps
	tools/bench.sh

profile: deps
	BENCH_PROFILE=1 tools/bench.sh

fuzz: deps
	selftests/fuzz.sh $(FUZZ_SECONDS) $(FUZZ)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

.PHONY: all module install deps check demo bench profile fuzz clean
