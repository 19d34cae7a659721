# lv: login verification toolkit. POSIX-ish make; see README.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/lv
PAMDIR ?= $(PREFIX)/lib/security
# Compiled in: a set-user-ID program run by an ordinary user uses only these.
STATEDIR ?= /var/lib/lv
CONFFILE ?= /etc/lv/lv.conf
LV_USER ?= lv
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
PKGS = libsodium libcdb liboath json-c
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DLV_STATEDIR='"$(STATEDIR)"' -DLV_CONFFILE='"$(CONFFILE)"' $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
CMD_SRC = $(wildcard cmd/*.c)
PROGS = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
MAN = $(wildcard doc/*.[1-8])
TESTPROGS = t/bin/totp-vectors t/bin/hint-cas t/bin/child_state

# Only lv-enroll draws QR codes (lib/lv_qr.c), so only it links libqrencode.
EXTRA_LIBS_lv-enroll = $(shell pkg-config --libs libqrencode)
lib/lv_qr.o: ALL_CFLAGS += $(shell pkg-config --cflags libqrencode)

# Debian packages the build, the tests and the demo need.
DEBS = build-essential pkg-config libsodium-dev libcdb-dev bats faketime \
	libqrencode-dev zbar-tools oathtool libpam-google-authenticator \
	pamtester libpam0g-dev mandoc shellcheck curl python3 procps parallel \
	openssh-server openssh-client man-db
# TOTP codes and base32 (liboath), --json (json-c), and jq for its tests.
DEBS += liboath-dev libjson-c-dev jq

all: $(PROGS) pam/pam_lv.so

# The PAM module: a shared object that runs the lv programs.
pam/pam_lv.so: pam/pam_lv.c
	@echo CC $@; $(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC $(CFLAGS) -shared -Wl,-z,relro,-z,now $(LDFLAGS) -o $@ pam/pam_lv.c -lpam

lib/liblv.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c lib/*.h
	@echo CC $<; $(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.c lib/liblv.a lib/*.h
	@mkdir -p bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS) $(EXTRA_LIBS_$*)

# Test programs and modules: built for the tests, never installed.
testbins: $(TESTPROGS) t/bin/pam_authtok_check.so t/bin/nss_fold.so t/bin/lvnolock.so

t/bin/pam_authtok_check.so: t/pam_authtok_check.c
	@mkdir -p t/bin
	@echo CC $@; $(CC) $(WARN) -fPIC -shared -o $@ t/pam_authtok_check.c -lpam

t/bin/nss_fold.so: t/nss_fold.c
	@mkdir -p t/bin
	@echo CC $@; $(CC) $(WARN) -fPIC -shared -o $@ t/nss_fold.c -ldl

# Every lock call succeeds without locking: the races of t0620 and make
# stress (t/stress/race --nolock). Plain cc for every build: check-asan
# preloads it before the sanitizer runtime (verify_asan_link_order=0).
t/bin/lvnolock.so: t/nolock/lvnolock.c
	@mkdir -p t/bin
	@echo CC $@; $(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -fPIC -shared -o $@ t/nolock/lvnolock.c -ldl

t/bin/%: t/%.c lib/liblv.a lib/*.h
	@mkdir -p t/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS)

# Installs only the packages that are missing; needs root then.
deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root to install:$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

check: deps
	$(MAKE) all testbins
	t/run

demo: deps
	$(MAKE) all
	PATH="$$(pwd)/bin:$$PATH" share/lv/demo

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)
	for p in $(PROGS); do cp $$p $(DESTDIR)$(BINDIR)/ && chmod 755 $(DESTDIR)$(BINDIR)/$${p#bin/}; done
	for m in $(MAN); do s=$${m##*.}; mkdir -p $(DESTDIR)$(MANPREFIX)/man$$s; \
		cp $$m $(DESTDIR)$(MANPREFIX)/man$$s/ && chmod 644 $(DESTDIR)$(MANPREFIX)/man$$s/$${m#doc/}; done
	cp -R share/lv/. $(DESTDIR)$(SHAREDIR)/
	mkdir -p $(DESTDIR)$(PAMDIR)
	cp pam/pam_lv.so $(DESTDIR)$(PAMDIR)/ && chmod 644 $(DESTDIR)$(PAMDIR)/pam_lv.so

# The set-user-ID deployment (lv(7)): every program owned by the service
# user LV_USER and set-user-ID (not lv-device, the phone's side, which
# never touches the state directory), and an empty state directory and key
# directory beside it (lv-state(5)) only that user can enter, made here because
# their parent is root's; then, as root:
# runuser -u $(LV_USER) -- $(BINDIR)/lv-enroll --init
install-setuid: install
	for p in $(filter-out bin/lv-device,$(PROGS)); do f=$(DESTDIR)$(BINDIR)/$${p#bin/}; \
		chown $(LV_USER) $$f && chmod 4755 $$f || exit 1; done
	install -d -o $(LV_USER) -m 0700 $(DESTDIR)$(STATEDIR) $(DESTDIR)$(STATEDIR)-key

clean:
	rm -rf bin lib/*.o lib/liblv.a pam/*.so t/bin/*.so $(TESTPROGS)

.PHONY: all testbins deps check demo install install-setuid clean
.SECONDARY: $(LIB_OBJ)

# The distributed tests on a GlusterFS volume of its own (needs root and
# /dev/fuse; t/distributed/run installs GlusterFS when missing).
check-distributed: deps
	$(MAKE) all
	t/distributed/run

.PHONY: check-distributed
# Benchmarks (not part of check): bench/run writes bench/RESULTS.md. The
# peers and tools it needs are installed when missing (needs root then).
BENCH_DEBS = libpam-google-authenticator pamtester python3
BENCH_PROGS = bench/bin/populate bench/bin/floor bench/bin/floor-nosync-audit bench/bin/drive

bench/bin/%: bench/%.c lib/liblv.a lib/*.h
	@mkdir -p bench/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS)

bench/bin/floor-nosync-audit: bench/floor.c
	@mkdir -p bench/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) -DAUDIT_SYNC=0 $(ALL_LDFLAGS) -o $@ bench/floor.c $(PKG_LIBS)

bench: all $(BENCH_PROGS)
	@missing=""; for p in $(BENCH_DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "make bench: run as root to install:$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	bench/run $(if $(BENCH_REF),-b $(BENCH_REF))

# BENCH_REF: a build of an earlier release for row 1c, e.g.
#   git worktree add /tmp/lv-prev 7cc6c64 && make -C /tmp/lv-prev all bench/bin/populate
#   make bench BENCH_REF=/tmp/lv-prev
.PHONY: bench

# --- Reliability (doc/RELIABILITY.md): stress runs, fuzzing, sanitizers. ---
# Builds for these go to build/ and fuzz/bin/, apart from bin/.
DEBS += clang libclang-rt-14-dev valgrind
SAN_CC = clang
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -Ilib $(PKG_CFLAGS) $(SAN_FLAGS)
# Sanitizer reports exit 86, never 1 (which means "rejected"). The programs
# link the sanitizer runtime as a shared library: statically linked, it
# deadlocks under libfaketime (its allocator reads the clock, which
# libfaketime resolves with dlsym, which allocates). LD_PRELOADed libraries
# (libfaketime, the fault shim) then come before it: verify_asan_link_order=0.
SAN_RT = $(shell dirname "$$($(SAN_CC) -print-file-name=libclang_rt.asan-x86_64.so)")
SAN_ENV = ASAN_OPTIONS=exitcode=86:detect_leaks=1:verify_asan_link_order=0:strict_string_checks=1:detect_stack_use_after_return=1 \
	UBSAN_OPTIONS=exitcode=86:print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=exitcode=86

ASAN_DIR = build/asan
ASAN_OBJ = $(patsubst lib/%.c,$(ASAN_DIR)/lib/%.o,$(LIB_SRC))
ASAN_PROGS = $(patsubst cmd/%.c,$(ASAN_DIR)/bin/%,$(CMD_SRC))

$(ASAN_DIR)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D); echo CC $@; $(SAN_CC) $(SAN_CFLAGS) -c -o $@ $<

$(ASAN_DIR)/lib/liblv.a: $(ASAN_OBJ)
	rm -f $@; ar rcs $@ $(ASAN_OBJ)

$(ASAN_DIR)/bin/%: cmd/%.c $(ASAN_DIR)/lib/liblv.a lib/*.h
	@mkdir -p $(@D); echo LD $@; $(SAN_CC) $(SAN_CFLAGS) -shared-libasan -Wl,-rpath,$(SAN_RT) -o $@ $< $(ASAN_DIR)/lib/liblv.a $(PKG_LIBS) $(EXTRA_LIBS_$*)

# The whole suite with ASan+UBSan binaries first on PATH.
check-asan: deps
	$(MAKE) all testbins $(ASAN_PROGS)
	$(SAN_ENV) LV_TEST_BIN=$(CURDIR)/$(ASAN_DIR)/bin LV_TEST_SLOW=1 t/run

# The whole suite with every lv program under valgrind's memcheck.
VG_DIR = build/valgrind
check-valgrind: deps
	$(MAKE) all testbins
	rm -rf $(VG_DIR); mkdir -p $(VG_DIR)
	for p in $(PROGS); do n=$${p#bin/}; \
		printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --track-fds=no "%s/%s" "$$@"\n' \
			"$(CURDIR)/bin" "$$n" > $(VG_DIR)/$$n; chmod 755 $(VG_DIR)/$$n; done
	LV_TEST_BIN=$(CURDIR)/$(VG_DIR) LV_TEST_SLOW=1 t/run

# libFuzzer harnesses fuzz/fuzz_NAME.c with seeds in fuzz/corpus/NAME/.
FUZZ_NAMES = $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS = $(patsubst %,fuzz/bin/fuzz_%,$(FUZZ_NAMES))
FUZZ_OBJ = $(patsubst lib/%.c,fuzz/bin/obj/%.o,$(LIB_SRC))
FUZZTIME ?= 60

fuzz/bin/obj/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D); echo CC $@; $(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz/bin/liblv.a: $(FUZZ_OBJ)
	rm -f $@; ar rcs $@ $(FUZZ_OBJ)

fuzz/bin/fuzz_%: fuzz/fuzz_%.c fuzz/*.h fuzz/bin/liblv.a lib/*.h
	@echo LD $@; $(SAN_CC) $(SAN_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< fuzz/bin/liblv.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# FUZZTIME seconds per harness; new inputs go to fuzz/bin/work/NAME, findings
# to fuzz/bin/crash-NAME-*.
fuzz: deps
	$(MAKE) fuzz-build
	for n in $(FUZZ_NAMES); do mkdir -p fuzz/bin/work/$$n; \
		d=; [ -f fuzz/$$n.dict ] && d=-dict=fuzz/$$n.dict; \
		$(SAN_ENV) fuzz/bin/fuzz_$$n -max_total_time=$(FUZZTIME) -print_final_stats=1 $$d \
			-artifact_prefix=fuzz/bin/crash-$$n- fuzz/bin/work/$$n fuzz/corpus/$$n || exit 1; done

# Every seed through its harness once: quick, for CI.
fuzz-replay: deps
	$(MAKE) fuzz-build
	for n in $(FUZZ_NAMES); do $(SAN_ENV) fuzz/bin/fuzz_$$n fuzz/corpus/$$n/* >fuzz/bin/replay-$$n.log 2>&1 \
		|| { tail -40 fuzz/bin/replay-$$n.log; exit 1; }; \
		echo "fuzz_$$n: $$(ls fuzz/corpus/$$n | wc -l) inputs replayed, no finding"; done

# Long runs; counts on the command line (see doc/RELIABILITY.md).
TRIALS ?= 500
CRASHES ?= 10000
GUESSES ?= 10000
stress: all t/bin/lvnolock.so
	PATH="$(CURDIR)/bin:$$PATH" t/stress/run --trials $(TRIALS) --crashes $(CRASHES) --guesses $(GUESSES)

.PHONY: check-asan check-valgrind fuzz fuzz-build fuzz-replay stress
