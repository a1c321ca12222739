# tcpscope - see README.md. `make`, `make check`, `make asan`, `make demo`.
# Everything here is plain GNU make; libraries come through pkg-config.

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CFLAGS   ?= -O2 -g
PKGS     := libpcap ncursesw sqlite3 libcrypto zlib libzstd liblzma
VERSION  := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wcast-qual -Wformat=2 -Wundef -Wwrite-strings
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -DTCPSCOPE_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm

TCPCORE_SRC  := $(wildcard tcpcore/*.c)
ANALYZER_SRC := $(wildcard analyzer/*/*.c)
UI_SRC       := $(wildcard ui/*.c)
TEST_SRC     := $(wildcard tests/test_*.c)
TOOL_SRC     := $(wildcard tests/tools/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
TCPCORE_OBJ  := $(call obj,$(TCPCORE_SRC))
ANALYZER_OBJ := $(call obj,$(ANALYZER_SRC))
UI_OBJ       := $(call obj,$(UI_SRC))
TEST_BIN     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TOOL_BIN     := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

BIN := $(if $(filter build,$(BUILD)),tcpscope,$(BUILD)/tcpscope)

.PHONY: all check test asan deps demo install uninstall clean bench bench-deps fuzz fuzz-long tools pkgcheck
all: $(BIN)

# Before compiling: every library is there, or pkg-config says which is
# not (`make deps` installs them), instead of a link error later.
pkgcheck:
	@pkg-config --print-errors --exists $(PKGS) || \
	  { echo "make: missing build dependencies (pkg-config above); 'make deps' installs them" >&2; exit 1; }

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtcpcore.a: $(TCPCORE_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libanalyzer.a: $(ANALYZER_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libui.a: $(UI_OBJ)
	@rm -f $@; ar rcs $@ $^

# analyzer first: cmd_tui.o (in libanalyzer.a) calls into libui.a.
LIBS_A = $(BUILD)/libanalyzer.a $(BUILD)/libui.a $(BUILD)/libtcpcore.a

$(BIN): $(BUILD)/analyzer/main.o $(LIBS_A)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS_A) -Wl,--end-group $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBS_A)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS_A) -Wl,--end-group $(LDLIBS_ALL)
$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS_A) -Wl,--end-group $(LDLIBS_ALL)

tools: $(TOOL_BIN)

# Fuzzing (tests/fuzz/). Each harness fuzz_NAME.c has a libFuzzer build for
# `make fuzz` (clang; runs FUZZ_TIME seconds per harness over a scratch
# corpus seeded from tests/fuzz/corpus_NAME/, crashes left in build-fuzz/)
# and a replay build with the plain main() of onefile.c, which `make check`
# runs over the seed corpus (tests/t_fuzz.sh).
FUZZ_HARNESS := decode pcapng tracker capture decompress
FUZZ_TIME    ?= 60
FUZZ_REPLAY  := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_HARNESS))
FUZZ_FLAGS   := -std=gnu11 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all
# Every harness includes tests/fuzz/fuzz.h.
$(patsubst %,build-fuzz/fuzz_%,$(FUZZ_HARNESS)): tests/fuzz/fuzz.h

$(BUILD)/fuzz/replay_decode: $(BUILD)/tests/fuzz/fuzz_decode.o \
		$(BUILD)/tests/fuzz/onefile.o $(BUILD)/analyzer/capture/decode.o \
		$(BUILD)/analyzer/capture/defrag.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^
build-fuzz/fuzz_decode: tests/fuzz/fuzz_decode.c analyzer/capture/decode.c \
		analyzer/capture/digest.h analyzer/capture/defrag.c \
		analyzer/capture/defrag.h \
		analyzer/capture/decode.h analyzer/capture/bytes.h tests/fuzz/fuzz_decode.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

$(BUILD)/fuzz/replay_pcapng: $(BUILD)/tests/fuzz/fuzz_pcapng.o \
		$(BUILD)/tests/fuzz/onefile.o $(BUILD)/analyzer/capture/pcapng.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^
build-fuzz/fuzz_pcapng: tests/fuzz/fuzz_pcapng.c analyzer/capture/pcapng.c \
		analyzer/capture/pcapng.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

$(BUILD)/fuzz/replay_tracker: $(BUILD)/tests/fuzz/fuzz_tracker.o \
		$(BUILD)/tests/fuzz/onefile.o $(BUILD)/libtcpcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lm
build-fuzz/fuzz_tracker: tests/fuzz/fuzz_tracker.c $(TCPCORE_SRC) \
		tcpcore/tcpcore.h tcpcore/internal.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

$(BUILD)/fuzz/replay_decompress: $(BUILD)/tests/fuzz/fuzz_decompress.o \
		$(BUILD)/tests/fuzz/onefile.o $(BUILD)/analyzer/capture/decompress.o \
		$(BUILD)/analyzer/capture/sha256.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_ALL)
build-fuzz/fuzz_decompress: tests/fuzz/fuzz_decompress.c \
		analyzer/capture/decompress.c analyzer/capture/sha256.c \
		analyzer/capture/decompress.h analyzer/capture/sha256.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS_ALL)

# The whole pipeline: ingest, capture (libpcap), decoder, tracker, store.
FUZZ_CAPTURE_SRC := $(addprefix analyzer/,ingest/ingest.c \
		    capture/capture.c capture/decode.c store/store.c \
		    capture/decompress.c capture/defrag.c \
		    store/segchunk.c store/uid.c capture/pcapng.c capture/sha256.c \
		    capture/series.c \
		    ingest/writer.c ingest/idmap.c) $(TCPCORE_SRC)
$(BUILD)/fuzz/replay_capture: $(BUILD)/tests/fuzz/fuzz_capture.o \
		$(BUILD)/tests/fuzz/onefile.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/tests/fuzz/fuzz_capture.o \
	  $(BUILD)/tests/fuzz/onefile.o -Wl,--start-group $(LIBS_A) \
	  -Wl,--end-group $(LDLIBS_ALL)
build-fuzz/fuzz_capture: tests/fuzz/fuzz_capture.c $(FUZZ_CAPTURE_SRC) \
		$(wildcard analyzer/*.h analyzer/*/*.h) tcpcore/tcpcore.h tcpcore/internal.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS_ALL)

# Per-harness libFuzzer options: tracker inputs are 12-byte records.
FUZZ_OPTS_tracker := -max_len=4096
FUZZ_OPTS_decompress := -max_len=65536
define fuzz_run
mkdir -p build-fuzz/corpus_$(1) && echo "fuzz: $(1) for $(FUZZ_TIME) s" && \
./build-fuzz/fuzz_$(1) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
  $(FUZZ_OPTS_$(1)) -artifact_prefix=build-fuzz/crash-$(1)- \
  build-fuzz/corpus_$(1) tests/fuzz/corpus_$(1)
endef

fuzz: $(patsubst %,build-fuzz/fuzz_%,$(FUZZ_HARNESS))
	@$(foreach h,$(FUZZ_HARNESS),$(call fuzz_run,$(h)) && ) true

# The long run, not part of `make check`: every harness for 10 minutes,
# then the mutation run (tests/fuzz/mutation-run.sh: MUTANTS mutated copies
# of the project's captures, each read by the ASan+UBSan build).
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
fuzz-long: deps
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(or $(FUZZ_LONG_TIME),600)
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS='$(ASAN_CFLAGS)' \
	  build-asan/tcpscope build-asan/tools/mutate
	@sh tests/fuzz/mutation-run.sh $(abspath build-asan) build-fuzz/mutation \
	  $(or $(SEED),1)

# The test suite: unit binaries, then the shell suites; tests/run.sh prints
# the closing "N passed, N failed" line.
check: deps
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(TOOL_BIN) $(FUZZ_REPLAY)
	@TCPSCOPE=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) sh tests/run.sh
test: check

# Same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS='$(ASAN_CFLAGS)' check

deps:
	@sh tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@rm -f demo.db demo.db-wal demo.db-shm
	./$(BIN) read -d demo.db pcaps/demo.pcap

# Speed and memory on the benchmark kit's captures (tests/bench.sh): the kit
# is $(SHARED)/bench, SHARED defaulting to ../shared; BENCH_DATA, BENCH_RUNS,
# BENCH_ONLY. bench-deps installs the peers and the capture makers' tools.
# The fanout rows send with tests/tools/pcapsend.
bench: $(BIN) $(BUILD)/tools/pcapsend
	@SHARED='$(abspath $(or $(SHARED),../shared))' \
	  PCAPSEND='$(abspath $(BUILD)/tools/pcapsend)' bash tests/bench.sh $(abspath $(BIN))

bench-deps:
	@bash tests/bench.sh --deps

# Installed files: the program, the manual pages, and the completions for
# bash (bash-completion's directory) and zsh (site-functions). `make
# uninstall` with the same PREFIX and DESTDIR removes exactly these.
MANPAGES := $(wildcard man/*.[157])
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
INSTALLED = $(PREFIX)/bin/tcpscope \
  $(foreach m,$(MANPAGES),$(PREFIX)/share/man/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
  $(BASHCOMPDIR)/tcpscope $(ZSHCOMPDIR)/_tcpscope

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tcpscope
	$(foreach m,$(MANPAGES),install -m 644 $(m) $(DESTDIR)$(PREFIX)/share/man/man$(subst .,,$(suffix $(m)))/ &&) true
	install -m 644 ui/completion/tcpscope.bash $(DESTDIR)$(BASHCOMPDIR)/tcpscope
	install -m 644 ui/completion/_tcpscope $(DESTDIR)$(ZSHCOMPDIR)/_tcpscope

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	rm -rf build build-asan build-fuzz tcpscope demo.db demo.db-wal demo.db-shm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
