# SPDX-License-Identifier: Apache-2.0
# ctl-suite build. `make` builds the library and tools; `make check` installs
# missing packages, builds normally and with ASan+UBSan, runs unit tests,
# end-to-end tests and the fuzz corpora; `make demo`, `make bench`,
# `make fuzz`, `make install` (PREFIX, DESTDIR), `make clean`.
#
# Each folder contributes a module.mk that appends to the lists below.
# BUILD names the output tree; SAN=1 adds AddressSanitizer and
# UndefinedBehaviorSanitizer (used by `make check` in build/asan).

BUILD   ?= build
SAN     ?=
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
FUZZ_SECONDS ?= 60

BIN := $(BUILD)/bin
LIB := $(BUILD)/lib
OBJ := $(BUILD)/obj
TBIN := $(BUILD)/tests

PKG_CONFIG ?= pkg-config
SSL_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libcrypto libssl 2>/dev/null)
SSL_LIBS    := $(shell $(PKG_CONFIG) --libs libssl libcrypto 2>/dev/null || echo -lssl -lcrypto)
P11_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libp11 p11-kit-1 2>/dev/null)
P11_LIBS    := $(shell $(PKG_CONFIG) --libs libp11 p11-kit-1 2>/dev/null || echo -lp11 -lp11-kit)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wvla
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g -D_FORTIFY_SOURCE=2
LDSAN :=
endif
CFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong -fPIC \
	-Ilibctl/include $(SSL_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDSAN) $(LDFLAGS)

# Lists the modules extend.
BINS :=
UNIT_TESTS :=
E2E_TESTS :=
FUZZ_TARGETS :=
MAN_PAGES :=
TEST_HELPERS :=
BENCH_BINS :=

.PHONY: all check fuzz demo bench bench-build install clean deps
all:

# Libraries first (libctl, then libtftp, the provider client, then the node
# code both daemons share): the tools name their archives and objects in their rules, and make
# expands prerequisites as it reads them.
FIRST_MODULES := libctl/module.mk libtftp/module.mk libprovclient/module.mk tftp-server/common/module.mk
include $(FIRST_MODULES)
include $(sort $(filter-out $(FIRST_MODULES),$(wildcard */module.mk */*/module.mk */*/*/module.mk)))

all: $(LIBCTL_A) $(LIBCTL_SO) $(BINS) $(LIBCTL_PC) $(COMPLETIONS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MOD_CFLAGS_$(firstword $(subst /, ,$<))) -MMD -MP -c -o $@ $<

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# Defined after the includes so every module's additions are seen.
.PHONY: tests
tests: $(UNIT_TESTS) $(TEST_HELPERS)
bench-build: $(BENCH_BINS)

deps:
	@scripts/install-deps

# The unit tests twice (plain and ASan+UBSan), then the end-to-end tests,
# then every fuzz corpus file once through its target. tests/run-check
# prints the per-suite lines and the final "N passed, N failed" line.
check: deps
	$(MAKE) all tests
	$(MAKE) BUILD=build/asan SAN=1 tests
	$(MAKE) fuzz-build
	@tests/run-check build

# Sub-makes after `deps`: this make read pkg-config before packages existed.
demo: deps
	$(MAKE) all
	@tests/demo.sh $(BUILD)

bench:
	@scripts/install-deps bench
	$(MAKE) all bench-build
	@bench/bench.sh $(BUILD)

fuzz: deps
	$(MAKE) fuzz-build
	@fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/ctl $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIBCTL_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBCTL_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libctlsuite.so.0 $(DESTDIR)$(PREFIX)/lib/libctlsuite.so
	install -m 644 libctl/include/ctl/*.h $(DESTDIR)$(PREFIX)/include/ctl/
	# Written here, not copied: build/ctlsuite.pc may hold another PREFIX.
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(CTL_VERSION)|g' libctl/ctlsuite.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/ctlsuite.pc
	for m in $(MAN_PAGES); do \
		sec=$${m##*.}; install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$sec/; \
	done
	# Bash completion, one file per program (completion/module.mk).
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/

clean:
	rm -rf build
