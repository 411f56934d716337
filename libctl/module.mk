# SPDX-License-Identifier: Apache-2.0
# libctl: static and shared library, installed as libctlsuite (Debian's
# unrelated libctl-dev already owns libctl.so and libctl.pc).
# The version is written once, as CTL_VERSION_STRING in ctl/ctl.h; the
# build reads it from there.
CTL_VERSION := $(shell sed -n 's/^\#define CTL_VERSION_STRING "\(.*\)"$$/\1/p' libctl/include/ctl/ctl.h)
LIBCTL_SRCS := $(wildcard libctl/*.c)
LIBCTL_OBJS := $(LIBCTL_SRCS:%.c=$(OBJ)/%.o)
LIBCTL_A  := $(LIB)/libctlsuite.a
LIBCTL_SO := $(LIB)/libctlsuite.so.0
LIBCTL_PC := $(BUILD)/ctlsuite.pc
# Only the public ctl_* API leaves the shared library.
LIBCTL_MAP := libctl/libctlsuite.map

$(LIBCTL_A): $(LIBCTL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# libctlsuite.so.0 is the file (its soname); libctlsuite.so the link-time name.
$(LIBCTL_SO): $(LIBCTL_OBJS) $(LIBCTL_MAP)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libctlsuite.so.0 -Wl,--version-script=$(LIBCTL_MAP) \
		$(ALL_LDFLAGS) -o $@ $(LIBCTL_OBJS) $(SSL_LIBS)
	ln -sf libctlsuite.so.0 $(LIB)/libctlsuite.so

# ctlsuite.pc for PREFIX $(1), LIBDIR $(2), INCLUDEDIR $(3) (make install writes its own).
LIBCTL_PC_SED = sed -e 's|@PREFIX@|$(1)|g' -e 's|@LIBDIR@|$(2)|g' -e 's|@INCLUDEDIR@|$(3)|g' \
	-e 's|@VERSION@|$(CTL_VERSION)|g'

$(LIBCTL_PC): libctl/ctlsuite.pc.in libctl/include/ctl/ctl.h
	@mkdir -p $(dir $@)
	$(call LIBCTL_PC_SED,$(PREFIX),$(LIBDIR),$(INCLUDEDIR)) $< > $@
