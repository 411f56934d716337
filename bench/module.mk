# Benchmarks: built by `make bench-build`, run by tests/bench.sh (`make bench`).
BENCH_BINS += $(BUILD)/bench/ctl-bench

$(BUILD)/bench/ctl-bench: $(OBJ)/bench/ctl_bench.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ)/bench/ctl_bench.o $(LIBCTL_A) $(SSL_LIBS)
