# Unit tests: every tests/test_<module>.c is one Check binary, linked with
# libctl. A module whose tests need more objects adds them as extra
# prerequisites of $(TBIN)/test_<name> (objects are linked from $^) and
# extra libraries in TEST_LIBS_test_<name>.
UNIT_TEST_SRCS := $(wildcard tests/test_*.c)
UNIT_TESTS += $(UNIT_TEST_SRCS:tests/%.c=$(TBIN)/%)
MOD_CFLAGS_tests := $(CHECK_CFLAGS) -Itests -Wno-missing-prototypes

$(TBIN)/test_%: $(OBJ)/tests/test_%.o $(OBJ)/tests/testutil.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(TEST_LIBS_test_$*) \
		$(SSL_LIBS) $(CHECK_LIBS)
