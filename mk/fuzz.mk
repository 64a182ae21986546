# mk/fuzz.mk — fuzzing and the reliability suites (included by the Makefile).
#
# Owns: the libFuzzer build of the harnesses in fuzz/ (clang, ASan + UBSan, build/fuzz/), their
# timed runs, and the targets that run the crash soak (tests/soak/), the load tests (tests/load/)
# and the security tests under ASan (tests/security/). Figures land in build/*-results.txt;
# docs/RELIABILITY.md says what each suite proves and how to read them.
#
#   make fuzz          every harness for FUZZ_SECONDS (default 300), two at a time
#   make fuzz-ci       every harness for FUZZ_CI_SECONDS (default 60): one test result each (make test)
#   make reliability   crash soak (SOAK_KILLS, default 100), load (LOAD_SECONDS, default 10) and the
#                      security tests against an ASan hotcopyd (make test)
#   make soak          also runs reliability-long first: SOAK_LONG_KILLS (1000) kills, load for
#                      LOAD_LONG_SECONDS (60) per case
#
# The fuzz objects are compiled here with their own flags (clang, -fsanitize=fuzzer-no-link): the
# Makefile's rules and $(BUILD) are untouched. Warnings are not errors in this build, so a clang
# warning in code written for gcc cannot stop the fuzzers from building.

FUZZ_BUILD := build/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_CI_SECONDS ?= 60
FUZZ_JOBS ?= 2
SOAK_KILLS ?= 100
SOAK_LONG_KILLS ?= 1000
LOAD_SECONDS ?= 10
LOAD_LONG_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Wno-unused-parameter -O1 -g -D_GNU_SOURCE -pthread -MMD -MP \
               -Iengine/include -Idb -I$(BUILD)/gen -fsanitize=fuzzer-no-link $(FUZZ_SAN)

FUZZ_HARNESS_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_HARNESSES := $(patsubst fuzz/%.c,%,$(FUZZ_HARNESS_SRC))
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/bin/%,$(FUZZ_HARNESSES))
FUZZ_COMMON_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out $(FUZZ_HARNESS_SRC),$(wildcard fuzz/*.c)))
FUZZ_LIBJET := $(FUZZ_BUILD)/lib/libjet.a
FUZZ_LIBHCDB := $(FUZZ_BUILD)/lib/libhcdb.a
FUZZ_LIBHCSERVER := $(FUZZ_BUILD)/lib/libhcserver.a
FUZZ_SERVER_OBJ := $(SERVER_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) \
                   $(if $(wildcard web/static),$(FUZZ_BUILD)/obj/gen/web_assets.o)
FUZZ_DB_OBJ := $(DB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) $(if $(MIGRATIONS),$(FUZZ_BUILD)/obj/gen/db_migrations.o)

.PHONY: fuzz fuzz-ci fuzz-bin reliability reliability-long

fuzz-bin: $(FUZZ_BINS)

# Objects named only by pattern rules would be deleted as intermediates.
.SECONDARY: $(FUZZ_HARNESS_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_COMMON_OBJ)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-overlength-strings -c $< -o $@

$(FUZZ_LIBJET): $(ENGINE_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LIBHCDB): $(FUZZ_DB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LIBHCSERVER): $(FUZZ_SERVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Every harness links the three libraries; the linker takes only the objects a harness uses.
$(FUZZ_BUILD)/bin/%: $(FUZZ_BUILD)/obj/fuzz/%.o $(FUZZ_COMMON_OBJ) $(FUZZ_LIBHCSERVER) $(FUZZ_LIBHCDB) $(FUZZ_LIBJET)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -pthread $^ $(PKG_LIBS) -lgnutls -o $@

# Long runs: results in build/fuzz-results.txt, new inputs kept in build/fuzz/corpus/.
fuzz: deps fuzz-bin
	@bash fuzz/run.sh --seconds $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# The CI run: each harness counts as one test (passed when it ran its time without a crash).
fuzz-ci:
	@$(MAKE) --no-print-directory -j$(FUZZ_JOBS) fuzz-bin
	@bash fuzz/run.sh --seconds $(FUZZ_CI_SECONDS) --record $(FUZZ_HARNESSES)

# The appliance under SIGKILL, under load, and under hostile requests (an ASan + UBSan build).
reliability: all
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 build/asan/bin/hotcopyd
	@HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) SOAK_KILLS=$(SOAK_KILLS) \
	  bash tests/run.sh node soak tests/soak/soak.test.mjs
	@HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) LOAD_SECONDS=$(LOAD_SECONDS) \
	  bash tests/run.sh node load tests/load/load.test.mjs
	@HOTCOPYD=$(abspath build/asan/bin/hotcopyd) \
	  bash tests/run.sh node security $(sort $(wildcard tests/security/*.test.mjs))

# make soak: the same soak and load, longer (before the Makefile's own soak recipe).
reliability-long: all
	@HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) SOAK_KILLS=$(SOAK_LONG_KILLS) \
	  bash tests/run.sh node soak-long tests/soak/soak.test.mjs
	@HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) LOAD_SECONDS=$(LOAD_LONG_SECONDS) \
	  bash tests/run.sh node load-long tests/load/load.test.mjs

soak: reliability-long

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
