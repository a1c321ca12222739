# tcpscope - see README.md. `make`, `make check`, `make asan`, `make demo`.
# Everything here is plain GNU make; libraries come through pkg-config.

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CFLAGS   ?= -O2 -g
PKGS     := libpcap ncursesw sqlite3
VERSION  := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wcast-qual -Wformat=2 -Wundef -Wwrite-strings
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -DTCPSCOPE_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm

TCPCORE_SRC  := $(wildcard tcpcore/*.c)
ANALYZER_SRC := $(filter-out analyzer/main.c,$(wildcard analyzer/*.c))
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

.PHONY: all check test asan deps demo install clean bench fuzz format-check tools
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtcpcore.a: $(TCPCORE_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libanalyzer.a: $(ANALYZER_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libui.a: $(UI_OBJ)
	@rm -f $@; ar rcs $@ $^

LIBS_A = $(BUILD)/libui.a $(BUILD)/libanalyzer.a $(BUILD)/libtcpcore.a

$(BIN): $(BUILD)/analyzer/main.o $(LIBS_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBS_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_ALL)
$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_ALL)

tools: $(TOOL_BIN)

# The test suite: unit binaries, then the shell suites; tests/run.sh prints
# the closing "N passed, N failed" line.
check: deps
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(TOOL_BIN)
	@TCPSCOPE=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) sh tests/run.sh
test: check

# Same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	  check

deps:
	@sh tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@rm -f demo.db demo.db-wal demo.db-shm
	./$(BIN) read -d demo.db pcaps/demo.pcap

bench: $(BIN)
	@sh tests/bench.sh $(abspath $(BIN))

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tcpscope
	for f in man/*.1; do [ -e "$$f" ] && install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	for f in man/*.5; do [ -e "$$f" ] && install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	for f in man/*.7; do [ -e "$$f" ] && install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man7/; done; true

clean:
	rm -rf build build-asan build-fuzz tcpscope demo.db demo.db-wal demo.db-shm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
