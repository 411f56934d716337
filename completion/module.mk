# SPDX-License-Identifier: Apache-2.0
# completion/: a bash completion file for every program in BINS, written at
# build time into $(BUILD)/completion/ by gen-completion, which reads each
# program's own getopt_long tables through optdump.so (see both files for
# why). `make install` copies them to BASHCOMPDIR.
COMP_DIR := $(BUILD)/completion
COMP_SO := $(COMP_DIR)/optdump.so
# Deferred: the programs' module.mk files are read after this one.
COMPLETIONS = $(patsubst $(BIN)/%,$(COMP_DIR)/%,$(BINS))

# Never sanitized: it is preloaded into whichever build the programs come from.
$(COMP_SO): completion/optdump.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -fPIC -shared -o $@ $< -ldl

$(COMP_DIR)/%: $(BIN)/% $(COMP_SO) completion/gen-completion completion/complete.bash
	completion/gen-completion $(COMP_SO) $< $@

# Contract 1's default; the Makefile or the command line may set it first.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# What `make install` put there, for `make uninstall`.
COMPLETIONS_INSTALLED = $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(COMPLETIONS)))
