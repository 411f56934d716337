# SPDX-License-Identifier: Apache-2.0
# TFTP test tools: tftp-raw (raw and hostile packets, step-by-step
# downloads) and tftp-get (a client on libtftp's engine with simulated loss).
# hostile-tftpd.py and slow-tftpd.py are run by the e2e tests directly.
TEST_HELPERS += $(BIN)/tftp-raw $(BIN)/tftp-get

$(BIN)/tftp-raw $(BIN)/tftp-get: $(BIN)/%: $(OBJ)/tests/tools/tftp/%.o $(LIBTFTP_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBTFTP_A) $(LIBCTL_A) $(SSL_LIBS)
