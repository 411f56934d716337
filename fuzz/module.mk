# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets: fuzz/fuzz_<parser>.c, seeded from fuzz/corpus/<parser>/.
# Built with clang, -fsanitize=fuzzer,address,undefined, compiling libctl's
# sources (and FUZZ_SRCS_fuzz_<parser>, set by other modules) into each.
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGET_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_TARGETS := $(FUZZ_TARGET_SRCS:fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Wall -Wextra $(filter -Werror,$(WARN)) -Ilibctl/include $(SSL_CFLAGS) \
	-Ilibtftp -Ictl-client

.PHONY: fuzz-build
fuzz-build: $(FUZZ_TARGETS)

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(LIBCTL_SRCS) $(wildcard libctl/*.h libctl/include/ctl/*.h libtftp/*.[ch] ctl-client/p11*.[ch] ctl-client/pin.[ch])
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIBCTL_SRCS) $(FUZZ_SRCS_fuzz_$*) $(SSL_LIBS)

# FUZZ_SRCS_fuzz_p11uri (the token selector parser) is set in ctl-client/module.mk.
