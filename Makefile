# ns-monitor
#   make              build ./ns-monitor
#   make check        unit + integration tests (root); SANITIZE=1 for ASan/UBSan
#   make demo         namespace demo (root)
#   make bench        benchmarks (root)
#   make fuzz         libFuzzer targets (tests/fuzz/fuzz_*.c), FUZZ_SECONDS each (default 60)
#   make analyze      cppcheck and clang --analyze over src/ (tests/analyze.sh)
#   make TRACE=1      build/trace/ns-monitor, with timestamps (bench/timeline.py)
#   make install      DESTDIR=... PREFIX=...
#   make deb          the Debian package, as ./ns-monitor_VERSION_ARCH.deb

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR  ?=

CC       ?= cc
PKGS     := libmnl libnetfilter_log libnetfilter_queue libnftables libnftnl libcap-ng
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# The one place the version is written (debian/changelog follows it).
VERSION  := $(shell cat VERSION)

CFLAGS   ?= -O2 -g
CPPFLAGS += -DNS_MONITOR_VERSION='"$(VERSION)"'
# The four parts, the command line and checks, and what they share; each
# header beside its source (README.md, Source layout).
SRC_DIRS := src/lib src/intake src/engine src/egress src/control src/cli
SRC_INC  := $(addprefix -I,$(SRC_DIRS))
HDRS     := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h))
vpath %.c src $(SRC_DIRS)

CFLAGS   += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	    $(SRC_INC) $(PKG_CFLAGS)
ifeq ($(CI),true)
CFLAGS   += -Werror
endif

# TRACE=1: the bench build with timestamps at the hot path's steps
# (src/lib/trace.h, bench/timeline.py), in build/trace.
ifeq ($(TRACE),1)
BUILD    := build/trace
CPPFLAGS += -DNS_MONITOR_TRACE
else ifeq ($(SANITIZE),1)
BUILD    := build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
# A leak of libnftables' own, not ours (tests/lsan.supp says which).
export LSAN_OPTIONS = suppressions=$(abspath tests/lsan.supp):print_suppressions=0
else
BUILD    := build/default
endif

LIB_SRC  := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ  := $(addprefix $(BUILD)/,$(notdir $(LIB_SRC:.c=.o)))
LIB      := $(BUILD)/libnsmonitor.a
BIN      := $(BUILD)/ns-monitor

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

.PHONY: all deps check unit integration analyze demo bench fuzz install uninstall deb clean

all: ns-monitor

ns-monitor: $(BIN)
ifneq ($(SANITIZE),1)
ifneq ($(TRACE),1)
	cp $(BIN) $@
endif
endif

$(BUILD)/%.o: %.c $(HDRS) VERSION | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The engine is pure (DESIGN.md): engine.c, askers.c and token_bucket.c
# are compiled with src/engine as their only include directory, so that
# including a header of another part fails, and tests/engine_purity.sh
# checks what their objects call.
ENGINE_OBJ := $(BUILD)/engine.o $(BUILD)/askers.o $(BUILD)/token_bucket.o

$(ENGINE_OBJ): $(BUILD)/%.o: src/engine/%.c src/engine/engine.h src/engine/askers.h src/engine/token_bucket.h | $(BUILD)
	$(CC) $(filter-out $(SRC_INC) $(PKG_CFLAGS),$(CFLAGS)) -Isrc/engine -c -o $@ $<

# The egress: what carries out the engine's actions. It never calls the
# engine (tests/egress_purity.sh); results come back as events.
EGRESS_OBJ := $(addprefix $(BUILD)/,dispatch.o slaves.o learn.o nd_send.o echo.o \
		echo_build.o hold.o hold_located.o proxy_ndp_state.o rtnl_pending.o \
		idle_asks.o)

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/test_%: tests/unit/test_%.c $(LIB) $(HDRS) $(wildcard tests/unit/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

$(BUILD)/ns_flood: tests/tools/ns_flood.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/guest_flood: tests/tools/guest_flood.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Asks with the daemon's own nd_send.c and answer.c, so it links the library.
$(BUILD)/nd_ask: tests/tools/nd_ask.c $(LIB) $(HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/neigh_peak: tests/tools/neigh_peak.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Holds with the daemon's own hold.c, so it links the library.
$(BUILD)/nfq_hold: tests/tools/nfq_hold.c $(LIB) $(HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/tcp_probe: tests/tools/tcp_probe.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/tun_pair: tests/tools/tun_pair.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD):
	mkdir -p $@

deps:
	@sh scripts/deps.sh

# Packages first, then a fresh make so pkg-config sees them. In CI the
# static analyzers go over src/, the trace build is built (so that it
# keeps compiling), the tests also run under ASan and UBSan, and each
# fuzzer runs briefly.
FUZZ_SECONDS ?= 60
CI_FUZZ_SECONDS ?= 20

check: deps
	@$(MAKE) --no-print-directory unit integration
ifeq ($(CI),true)
	@sh tests/analyze.sh
	@$(MAKE) --no-print-directory TRACE=1 build/trace/ns-monitor
	@$(MAKE) --no-print-directory SANITIZE=1 unit integration
	@sh tests/fuzz/run.sh $(CI_FUZZ_SECONDS)
endif

unit: $(UNIT_BIN) $(ENGINE_OBJ) $(EGRESS_OBJ)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done
	@sh tests/engine_purity.sh $(ENGINE_OBJ)
	@sh tests/egress_purity.sh $(EGRESS_OBJ)

integration: $(BIN) $(BUILD)/ns_flood $(BUILD)/nd_ask $(BUILD)/neigh_peak \
		$(BUILD)/nfq_hold $(BUILD)/tcp_probe $(BUILD)/guest_flood \
		$(BUILD)/tun_pair
	@NS_MONITOR=$(abspath $(BIN)) NS_FLOOD=$(abspath $(BUILD)/ns_flood) \
		GUEST_FLOOD=$(abspath $(BUILD)/guest_flood) \
		ND_ASK=$(abspath $(BUILD)/nd_ask) \
		NFQ_HOLD=$(abspath $(BUILD)/nfq_hold) \
		TCP_PROBE=$(abspath $(BUILD)/tcp_probe) \
		TUN_PAIR=$(abspath $(BUILD)/tun_pair) \
		NEIGH_PEAK=$(abspath $(BUILD)/neigh_peak) \
		bash tests/integration/run.sh

fuzz: deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

analyze: deps
	@sh tests/analyze.sh

# bench/run.sh (latency, ingest, cost), then scale, first contact (the
# shipped defaults too, and per kind of guest at 40 slaves), --queue's
# cost, and a flood followed by a real target: bench/results/*.md.
bench: deps
	@$(MAKE) --no-print-directory ns-monitor
	@bash bench/run.sh ./ns-monitor
	@BENCH_NEW=./ns-monitor bash bench/scale.sh
	@bash bench/first_contact.sh ./ns-monitor
	@bash bench/first_contact_kinds.sh ./ns-monitor
	@bash bench/guest_ns.sh ./ns-monitor
	@$(MAKE) --no-print-directory $(BUILD)/nfq_hold
	@bash bench/queue.sh $(BIN)
	@bash bench/queue_rtt.sh $(BIN)
	@bash bench/flood_real.sh ./ns-monitor

demo: deps
	@$(MAKE) --no-print-directory ns-monitor
	@bash scripts/demo.sh ./ns-monitor

# What `make install` puts where; uninstall removes exactly these.
INSTALLED := $(SBINDIR)/ns-monitor \
	$(MANDIR)/man8/ns-monitor.8 \
	$(UNITDIR)/ns-monitor.service \
	$(SYSCONFDIR)/ns-monitor/ns-monitor.nft \
	$(SYSCONFDIR)/default/ns-monitor \
	$(SYSCONFDIR)/iproute2/rt_protos.d/ns-monitor.conf

install: ns-monitor
	install -D -m 0755 ns-monitor $(DESTDIR)$(SBINDIR)/ns-monitor
	install -D -m 0644 man/ns-monitor.8 $(DESTDIR)$(MANDIR)/man8/ns-monitor.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/ns-monitor.service \
		> $(DESTDIR)$(UNITDIR)/ns-monitor.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ns-monitor.service
	# Executable, as nftables' own /etc/nftables.conf: it starts with #!/usr/sbin/nft -f.
	install -D -m 0755 nft/ns-monitor.nft $(DESTDIR)$(SYSCONFDIR)/ns-monitor/ns-monitor.nft
	install -D -m 0644 dist/ns-monitor.default $(DESTDIR)$(SYSCONFDIR)/default/ns-monitor
	install -D -m 0644 dist/rt_protos.conf \
		$(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/ns-monitor.conf

# KEEP: installed files to leave in place (uninstall.sh: edited configuration).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(filter-out $(KEEP),$(INSTALLED)))
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SYSCONFDIR)/ns-monitor 2>/dev/null || true

# The package is built from a copy of the tree in DEB_DIR (dpkg-buildpackage
# writes into debian/ and puts its results in the parent directory), and the
# .deb is copied to DEB_DEST, the top of the tree by default, for
# `apt install ./ns-monitor_*.deb`.
DEB_DIR  ?= build/deb
DEB_DEST ?= .
DEB_TREE := $(DEB_DIR)/ns-monitor-$(VERSION)

deb:
	@sh scripts/deps.sh build package
	rm -rf $(DEB_DIR) $(DEB_DEST)/ns-monitor_*.deb
	mkdir -p $(DEB_TREE) $(DEB_DEST)
	tar -cf - --exclude=./.git --exclude=./build --exclude=./ns-monitor \
		--exclude='./ns-monitor_*' . | tar -xf - -C $(DEB_TREE)
	# A plain build, whatever this make was told (the sanitizer pass of
	# make check runs test_deb.sh too): no SANITIZE, no make flags.
	cd $(DEB_TREE) && env -u SANITIZE -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -us -uc -b
	cp $(DEB_DIR)/ns-monitor_$(VERSION)_*.deb $(DEB_DEST)/
	@echo "built: $$(ls $(DEB_DEST)/ns-monitor_$(VERSION)_*.deb)"

clean:
	rm -rf build ns-monitor ns-monitor_*.deb
