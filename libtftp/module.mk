# SPDX-License-Identifier: Apache-2.0
# libtftp: the TFTP engine every TFTP speaker in the project shares, as a
# static library: the event loop, the packet codec, option negotiation,
# addresses, CTL/ITL name mapping and the client engine. ctl-tftpd, the phone
# emulator, the load generator, the test tools, the fuzz targets and the unit
# tests link $(LIBTFTP_A); it depends only on libctl.
LIBTFTP_SRCS := $(wildcard libtftp/*.c)
LIBTFTP_OBJS := $(LIBTFTP_SRCS:%.c=$(OBJ)/%.o)
LIBTFTP_A := $(LIB)/libtftp.a
# Modules that use the engine add this to their MOD_CFLAGS.
LIBTFTP_CFLAGS := -Ilibtftp

$(LIBTFTP_A): $(LIBTFTP_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Fuzz targets compile these next to libctl's sources.
FUZZ_SRCS_fuzz_tftp_packet := libtftp/tftp_codec.c libtftp/tftp_opts.c
FUZZ_SRCS_fuzz_tftp_name := libtftp/tftp_map.c

# Unit tests (tests/unit/libtftp/).
$(TBIN)/test_tftp_codec $(TBIN)/test_tftp_opts $(TBIN)/test_tftp_addr $(TBIN)/test_tftp_map \
	$(TBIN)/test_tftp_loop $(TBIN)/test_tftp_client: $(LIBTFTP_A)
