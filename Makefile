# Hotcopy — the one Makefile (no recursion into directories; build output in build/, the sanitizer
# build in build/asan). Sources are found by directory:
#   engine/src/*.c      -> build/lib/libjet.a          (libc/POSIX only)
#   engine/tools/*.c    -> build/bin/<tool>            (jetutil)
#   db/*.c + migrations -> build/lib/libhcdb.a         (SQLite only)
#   server/*.c + web/   -> build/bin/hotcopyd          (libmicrohttpd, cJSON, libcurl, expat)
#   tests/<dir>/test_*.c -> build/tests/<dir>/test_*   (cmocka)
# `make help` lists the targets.

BUILD ?= build
SAN ?= 0
CC ?= cc
PKGS := libmicrohttpd libcjson sqlite3 libcurl expat
# pkg-config is installed by `make deps`; before that these are empty and only `deps` is usable.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= $(if $(filter 1,$(SAN)),-O1,-O2)
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wformat=2
CFLAGS := -std=c11 $(WARN) $(OPT) -g -D_GNU_SOURCE -pthread -MMD -MP -Iengine/include -Idb -I$(BUILD)/gen
LDFLAGS := -pthread
ifeq ($(SAN),1)
  CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif

# ---- sources -------------------------------------------------------------------------------------
ENGINE_SRC := $(wildcard engine/src/*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
LIBJET := $(BUILD)/lib/libjet.a

TOOLS := $(patsubst engine/tools/%.c,$(BUILD)/bin/%,$(wildcard engine/tools/*.c))

MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
DB_SRC := $(wildcard db/*.c)
DB_OBJ := $(DB_SRC:%.c=$(BUILD)/obj/%.o) $(if $(MIGRATIONS),$(BUILD)/obj/gen/db_migrations.o)
LIBHCDB := $(BUILD)/lib/libhcdb.a

WEB_ASSETS := $(sort $(wildcard web/static/*.css web/static/*.js web/static/*.svg web/static/*.ico))
WEB_VENDOR := web/node_modules/htmx.org/dist/htmx.min.js web/node_modules/htmx-ext-sse/dist/sse.min.js
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/obj/%.o) \
              $(if $(wildcard web/static),$(BUILD)/obj/gen/web_assets.o)
LIBHCSERVER := $(BUILD)/lib/libhcserver.a
HOTCOPYD := $(if $(wildcard server/main.c),$(BUILD)/bin/hotcopyd)

TEST_COMMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/common/*.c))
ENGINE_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/engine/test_*.c))
DB_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/db/test_*.c))
SERVER_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/server/test_*.c))
UNIT_TESTS := $(ENGINE_TESTS) $(DB_TESTS) $(SERVER_TESTS)
E2E_TESTS := $(sort $(wildcard tests/e2e/*.test.mjs))
BROWSER_TESTS := $(sort $(wildcard tests/browser/*.test.mjs))

ALL := $(LIBJET) $(TOOLS) $(if $(DB_SRC),$(LIBHCDB)) $(HOTCOPYD)

.PHONY: all deps test unit asan e2e browser readme run bench soak fuzz lint format clean help tests-bin \
        docker docker-test
.DEFAULT_GOAL := all

all: $(ALL)

help:
	@echo "make deps    install missing Debian/npm packages (as root)"
	@echo "make         build libjet, jetutil, hotcopyd into $(BUILD)/"
	@echo "make run     build and start hotcopyd with a demo database on 127.0.0.1:8080"
	@echo "make test    every test: unit, crash, ASan+UBSan, HTTP end-to-end, browser"
	@echo "make asan    unit and crash tests under AddressSanitizer + UBSan"
	@echo "make bench   benchmarks against the peers; results in docs/BENCHMARKS.md"
	@echo "make soak    long crash soak (thousands of kills)"
	@echo "make fuzz    every libFuzzer harness in fuzz/ for FUZZ_SECONDS (300) each (mk/fuzz.mk)"
	@echo "make reliability  crash soak, load (wrk) and security tests (ASan); docs/RELIABILITY.md"
	@echo "make lint    clang-tidy and cppcheck"

deps:
	@bash mk/deps.sh

# ---- compile rules -------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(LIBJET): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBHCDB): $(DB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBHCSERVER): $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/gen/db_migrations.c: $(MIGRATIONS) mk/embed.sh
	@mkdir -p $(dir $@)
	bash mk/embed.sh $@ db_migrations db/migrations/ $(MIGRATIONS)

$(BUILD)/gen/web_assets.c: $(WEB_ASSETS) $(wildcard $(WEB_VENDOR)) mk/embed.sh
	@mkdir -p $(dir $@)
	bash mk/embed.sh $@ web_assets web/static/ $(WEB_ASSETS) $(wildcard $(WEB_VENDOR))

$(BUILD)/bin/%: $(BUILD)/obj/engine/tools/%.o $(LIBJET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/bin/hotcopyd: $(BUILD)/obj/server/main.o $(LIBHCSERVER) $(LIBHCDB) $(LIBJET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lgnutls -o $@

# ---- tests ---------------------------------------------------------------------------------------
$(BUILD)/tests/engine/%: $(BUILD)/obj/tests/engine/%.o $(TEST_COMMON_OBJ) $(LIBJET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -lcmocka -o $@

$(BUILD)/tests/db/%: $(BUILD)/obj/tests/db/%.o $(TEST_COMMON_OBJ) $(LIBHCDB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -lsqlite3 -lcmocka -o $@

$(BUILD)/tests/server/%: $(BUILD)/obj/tests/server/%.o $(TEST_COMMON_OBJ) $(LIBHCSERVER) $(LIBHCDB) $(LIBJET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lgnutls -lcmocka -o $@

tests-bin: $(UNIT_TESTS)

# The unit and crash tests (cmocka). HOTCOPY_CRASH_KILLS sets the number of SIGKILLs of the crash test.
unit: all tests-bin
	@bash tests/run.sh cmocka unit$(if $(filter 1,$(SAN)),-asan) $(UNIT_TESTS)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 unit

e2e: all
	@$(if $(E2E_TESTS),HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) bash tests/run.sh node e2e $(E2E_TESTS),true)

browser: all
	@$(if $(BROWSER_TESTS),HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) bash tests/run.sh node browser $(BROWSER_TESTS),true)

# README.md's curl walkthrough and C example, run as written, and the files the docs name.
readme: all
	@HOTCOPYD=$(abspath $(BUILD)/bin/hotcopyd) bash tests/run.sh node readme tests/readme/readme.test.mjs

test: deps
	@bash tests/run.sh reset
	@$(MAKE) --no-print-directory all tests-bin
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory readme
	@bash tests/run.sh cmd docker -- bash mk/docker.sh test
	@$(MAKE) --no-print-directory fuzz-ci
	@$(MAKE) --no-print-directory reliability
	@bash tests/run.sh summary

soak: all tests-bin
	HOTCOPY_CRASH_KILLS=$${HOTCOPY_CRASH_KILLS:-3000} $(BUILD)/tests/engine/test_crash

run: deps all
	$(BUILD)/bin/hotcopyd --listen 127.0.0.1:8080 --data ./data --demo

bench: deps all
	bash bench/run.sh

lint:
	clang-tidy --quiet $(ENGINE_SRC) $(DB_SRC) $(SERVER_SRC) -- -std=c11 -D_GNU_SOURCE -Iengine/include -Idb $(PKG_CFLAGS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	  -Iengine/include -Idb engine/src db server

format:
	clang-format -i $(wildcard engine/include/*.h engine/src/*.[ch] engine/tools/*.c db/*.[ch] server/*.[ch] tests/*/*.[ch])

# Container image (docker/): mk/docker.sh starts a local dockerd and builds a Debian base image when
# no registry is reachable.
docker: all
	bash mk/docker.sh build

docker-test: all
	bash mk/docker.sh test

clean:
	rm -rf build

# Fuzzing (fuzz/, build/fuzz/) and the reliability suites: mk/fuzz.mk.
include mk/fuzz.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
