# SPDX-License-Identifier: Apache-2.0
# The ctl-provider unit tests, test_<file>.c for each source file of
# tftp-server/ctl-provider/, share the fixtures in prov_fixture.c. The
# provider's module.mk (read after this one: the module list is sorted)
# adds the objects under test to PROV_TESTS.
PROV_TESTS := $(basename $(notdir $(wildcard tests/unit/ctl-provider/test_*.c)))
$(addprefix $(TBIN)/,$(PROV_TESTS)): $(OBJ)/tests/unit/ctl-provider/prov_fixture.o
