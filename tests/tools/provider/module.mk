# SPDX-License-Identifier: Apache-2.0
# CTL Provider test tools: prov-tool (raw and hostile messages, the
# 200-connection load test), rename-pause.so (stops ctl-provider inside its
# atomic install for the crash test); fake_provider.py is run directly.
TEST_HELPERS += $(BUILD)/tests/prov-tool $(BUILD)/tests/rename-pause.so

$(BUILD)/tests/prov-tool: $(OBJ)/tests/tools/provider/prov_tool.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS) -lpthread

$(BUILD)/tests/rename-pause.so: tests/tools/provider/rename_pause.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra $(filter -Werror,$(WARN)) -fPIC -shared -o $@ $< -ldl
