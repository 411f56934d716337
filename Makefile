# SPDX-License-Identifier: Apache-2.0
# ctl-suite build. `make` builds the library and tools; `make check` installs
# missing packages, builds normally and with ASan+UBSan, runs unit tests,
# end-to-end tests and the fuzz corpora; `make demo`, `make bench`,
# `make fuzz`, `make install` / `make uninstall` (PREFIX, DESTDIR and the
# directories below), `make deb` (Debian packages), `make clean`.
#
# Each folder contributes a module.mk that appends to the lists below.
# BUILD names the output tree; SAN=1 adds AddressSanitizer and
# UndefinedBehaviorSanitizer (used by `make check` in build/asan).

BUILD   ?= build
SAN     ?=
PREFIX  ?= /usr/local
DESTDIR ?=
# Install layout (README "Installing"; debian/rules passes Debian's).
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
DOCDIR     ?= $(DATADIR)/doc/ctl-suite
SYSCONFDIR ?= /etc
# Units: systemd's own directory when installing into /usr, else under PREFIX.
ifeq ($(PREFIX),/usr)
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
else
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
endif
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# -Werror only in CI (CI=true, as CI services set it) or with WERROR=1
# (make check, .ci/run): a newer compiler's new warning must not break a
# user's or a distribution's build.
WERROR  ?= $(if $(filter true,$(CI)),1,)
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

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g -D_FORTIFY_SOURCE=2
LDSAN :=
endif
CFLAGS ?=
CPPFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong -fPIC \
	-Ilibctl/include $(SSL_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDSAN) $(LDFLAGS)

# Lists the modules extend.
BINS :=
UNIT_TESTS :=
E2E_TESTS :=
FUZZ_TARGETS :=
MAN_PAGES :=
TEST_HELPERS :=
BENCH_BINS :=

.PHONY: all check fuzz demo bench bench-build install uninstall clean deps
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
	$(MAKE) WERROR=1 all tests
	$(MAKE) WERROR=1 BUILD=build/asan SAN=1 tests
	$(MAKE) WERROR=1 fuzz-build
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

# The Debian packages of debian/ (dpkg-buildpackage -us -uc -b), built in a
# copy of the tree under $(BUILD)/deb/ so that they land there, not beside
# the checkout; prints the .deb files (scripts/make-deb). No `deps`: it
# installs nothing, and names the build dependencies that are missing.
.PHONY: deb
deb:
	@scripts/make-deb $(BUILD)/deb

# The daemons in SBINDIR, the other programs in BINDIR (contract of
# debian/*.install). Units and the sysusers.d/tmpfiles.d files get
# @SBINDIR@ and @SYSCONFDIR@ written in; the example configurations go to
# DOCDIR/examples: `make install` never writes into SYSCONFDIR, the
# administrator copies them to $(SYSCONFDIR)/ctl-suite/.
SBIN_PROGS := ctl-tftpd ctl-provider ctl-tvsd
INST_SBINS = $(filter $(addprefix $(BIN)/,$(SBIN_PROGS)),$(BINS))
INST_BINS = $(filter-out $(INST_SBINS),$(BINS))
UNITS := ctl-tftpd.service ctl-provider.service ctl-tvsd.service
EXAMPLES := tftp-server/ctl-provider/node.conf.example tftp-server/ctl-tvsd/tvsd.conf.example
# Every file `make install` writes, for `make uninstall` (and nothing else).
INSTALLED = $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INST_SBINS))) \
	$(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INST_BINS))) \
	$(addprefix $(DESTDIR)$(LIBDIR)/,libctlsuite.a libctlsuite.so.0 libctlsuite.so pkgconfig/ctlsuite.pc) \
	$(addprefix $(DESTDIR)$(INCLUDEDIR)/ctl/,$(notdir $(wildcard libctl/include/ctl/*.h))) \
	$(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS)) \
	$(DESTDIR)$(SYSUSERSDIR)/ctl-suite.conf $(DESTDIR)$(TMPFILESDIR)/ctl-suite.conf \
	$(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES))) \
	$(COMPLETIONS_INSTALLED)
SUBST_DIRS = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/ctl $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(INST_SBINS) $(DESTDIR)$(SBINDIR)/
	install -m 755 $(INST_BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(LIBCTL_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBCTL_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libctlsuite.so.0 $(DESTDIR)$(LIBDIR)/libctlsuite.so
	install -m 644 libctl/include/ctl/*.h $(DESTDIR)$(INCLUDEDIR)/ctl/
	# Written here, not copied: $(BUILD)/ctlsuite.pc may hold another layout.
	$(call LIBCTL_PC_SED,$(PREFIX),$(LIBDIR),$(INCLUDEDIR)) libctl/ctlsuite.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/ctlsuite.pc
	for m in $(MAN_PAGES); do \
		sec=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$sec/; \
	done
	for u in $(UNITS); do \
		$(SUBST_DIRS) systemd/$$u.in > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 644 systemd/ctl-suite.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/ctl-suite.conf
	install -m 644 systemd/ctl-suite.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/ctl-suite.conf
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	for c in $(COMPLETIONS); do install -m 644 $$c $(DESTDIR)$(BASHCOMPDIR)/ || exit 1; done

# Exactly the files install wrote, then the folders only ctl-suite uses
# when they are left empty.
uninstall:
	rm -f $(INSTALLED)
	rmdir $(DESTDIR)$(INCLUDEDIR)/ctl $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build
