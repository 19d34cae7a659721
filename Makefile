# lv: login verification toolkit. POSIX-ish make; see README.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/lv
# Debian's libpam finds a module named without a path only in its multiarch
# directory: with PREFIX=/usr the module goes there.
MULTIARCH = $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || $(CC) -print-multiarch 2>/dev/null)
PAMDIR ?= $(if $(and $(filter /usr,$(PREFIX)),$(MULTIARCH)),$(PREFIX)/lib/$(MULTIARCH),$(PREFIX)/lib)/security
# Compiled in: a set-user-ID program run by an ordinary user uses only these.
STATEDIR ?= /var/lib/lv
CONFFILE ?= /etc/lv/lv.conf
LV_USER ?= _lv
DESTDIR ?=
# What an ordinary user runs for their own login: the only programs
# install-setuid makes set-user-ID.
SETUID_PROGS = lv-verify lv-sendcode lv-requests

CC ?= cc
CFLAGS ?= -O2 -g
# Warnings stop the build only when asked (WERROR=1, on the command line or
# in the environment, as CI does): a newer compiler's new warning must not
# break a packager's build.
WERROR ?=
WERROR_FLAG = $(if $(filter 1,$(WERROR)),-Werror)
WARN = -Wall -Wextra $(WERROR_FLAG)
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
PKGS = libsodium libcdb liboath json-c libfido2 libcbor
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libfido2 is loaded by lib/lv_seckey_fido.c when a security key is checked,
# not linked: its libcrypto would cost every run of every program.
PKG_LIBS = $(shell pkg-config --libs $(filter-out libfido2,$(PKGS)))
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
LIB_H = $(filter-out lib/lv_build.h,$(wildcard lib/*.h))
LIB_OBJ = $(LIB_SRC:.c=.o)
CMD_SRC = $(wildcard cmd/*.c)
PROGS = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
MAN = $(wildcard doc/*.[1-8])
TESTPROGS = t/bin/totp-vectors t/bin/hint-cas t/bin/child_state

# Only lv-enroll draws QR codes (lib/lv_qr.c), so only it links libqrencode.
EXTRA_LIBS_lv-enroll = $(shell pkg-config --libs libqrencode)
lib/lv_qr.o: ALL_CFLAGS += $(shell pkg-config --cflags libqrencode)

# The Debian packages each target needs: the build's, and what the demo,
# the test suite, the sanitizers and the benchmarks run besides. make deps
# installs make check's; tools/install-debs installs only what is missing,
# without recommendations, and lets none of them start a service (the
# tests start their own sshd on a private port).
# TOTP codes and base32 through liboath, --json through json-c, security
# keys' COSE keys and signatures through libfido2 and their attestation
# objects through libcbor; the tests' software security key uses
# python3-cryptography.
DEBS_build = build-essential pkg-config libsodium-dev libcdb-dev libqrencode-dev libpam0g-dev \
	liboath-dev libjson-c-dev libfido2-dev libcbor-dev
DEBS_demo = $(DEBS_build) faketime oathtool
DEBS_check = $(DEBS_demo) bats python3 procps parallel curl shellcheck mandoc man-db \
	zbar-tools pamtester libpam-google-authenticator openssh-server openssh-client jq \
	python3-cryptography
DEBS_asan = $(DEBS_check) clang libclang-rt-14-dev
DEBS_valgrind = $(DEBS_check) valgrind
DEBS_fuzz = $(DEBS_build) clang libclang-rt-14-dev
DEBS_bench = $(DEBS_build) libpam-google-authenticator pamtester python3
# The browser tests: Debian's Chromium driven by selenium; qrencode beside
# zbar-tools (in DEBS_check) for the QR codes; oathtool is in DEBS_demo.
DEBS_web = $(DEBS_check) chromium chromium-driver python3-selenium qrencode

all: $(PROGS) pam/pam_lv.so

# The PAM module: a shared object that runs the lv programs in BINDIR.
pam/pam_lv.so: pam/pam_lv.c pam/pam_lv_bindir.h
	@echo CC $@; $(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC $(CPPFLAGS) $(CFLAGS) -shared -Wl,-z,relro,-z,now $(LDFLAGS) -o $@ pam/pam_lv.c -lpam

# What is compiled in, in headers rewritten only when a value changes: a
# change of STATEDIR, CONFFILE or LV_USER rebuilds what prints or uses them,
# a change of BINDIR the PAM module, and nothing else.
REPLACE_IF_CHANGED = if cmp -s $@.$$$$ $@; then rm -f $@.$$$$; else mv -f $@.$$$$ $@; fi

lib/lv_build.h: FORCE
	@printf '%s\n' '/* Made by make from STATEDIR, CONFFILE and LV_USER. */' \
		'#define LV_STATEDIR "$(STATEDIR)"' '#define LV_CONFFILE "$(CONFFILE)"' \
		'#define LV_USER "$(LV_USER)"' >$@.$$$$ && $(REPLACE_IF_CHANGED)

pam/pam_lv_bindir.h: FORCE
	@printf '%s\n' '/* Made by make from BINDIR. */' '#define LV_BINDIR "$(BINDIR)"' >$@.$$$$ && \
		$(REPLACE_IF_CHANGED)

FORCE:

lib/liblv.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c $(LIB_H)
	@echo CC $<; $(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.c lib/liblv.a $(LIB_H)
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

t/bin/%: t/%.c lib/liblv.a $(LIB_H)
	@mkdir -p t/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS)

# deps-TARGET installs the packages of DEBS_TARGET that are missing (root then).
DEPS = deps-build deps-demo deps-check deps-asan deps-valgrind deps-fuzz deps-bench deps-web
deps: deps-check
$(DEPS): deps-%:
	@tools/install-debs $(DEBS_$*)

check: deps-check
	$(MAKE) all testbins
	t/run

demo: deps-demo
	$(MAKE) all
	PATH="$$(pwd)/bin:$$PATH" share/lv/demo

# A program installed set-user-ID by install-setuid stays so: its owner
# and mode are kept, which only root can do, so anyone else is refused.
# Each program is renamed into place: a running login never sees half a file.
install: all
	@for n in $(SETUID_PROGS); do f=$(DESTDIR)$(BINDIR)/$$n; \
		if [ -u "$$f" ] && [ ! -O "$$f" ] && [ "$$(id -u)" != 0 ]; then \
			echo "make install: $$f is set-user-ID to $$(stat -c %U "$$f"): run make install as root, which keeps it so" >&2; \
			exit 1; \
		fi; done
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)
	@for n in $(PROGS:bin/%=%); do f=$(DESTDIR)$(BINDIR)/$$n; \
		cp bin/$$n "$$f.new" && chmod 755 "$$f.new" || exit 1; \
		if [ -u "$$f" ]; then case " $(SETUID_PROGS) " in \
			*" $$n "*) chown --reference="$$f" "$$f.new" && chmod --reference="$$f" "$$f.new" || exit 1 ;; \
			*) echo "make install: $$n is no longer set-user-ID (lv(7), Set-user-ID installation)" ;; \
		esac; fi; \
		mv -f "$$f.new" "$$f" || exit 1; done
	for m in $(MAN); do s=$${m##*.}; mkdir -p $(DESTDIR)$(MANPREFIX)/man$$s; \
		cp $$m $(DESTDIR)$(MANPREFIX)/man$$s/ && chmod 644 $(DESTDIR)$(MANPREFIX)/man$$s/$${m#doc/}; done
	cp -R share/lv/. $(DESTDIR)$(SHAREDIR)/
	mkdir -p $(DESTDIR)$(PAMDIR)
	cp pam/pam_lv.so $(DESTDIR)$(PAMDIR)/ && chmod 644 $(DESTDIR)$(PAMDIR)/pam_lv.so
	@$(if $(CONF_INSIDE),$(INSTALL_CONF),$(if $(CONF_SRC),echo "make install: $(CONFFILE) is outside PREFIX and not installed; make install-conf installs it"))

# The configuration (etc/lv.conf, where the tree has one) goes to CONFFILE
# only when none is there, so that an operator's edits are never
# overwritten; make uninstall leaves it. make install writes it only
# inside DESTDIR or PREFIX; install-conf, and root's install-setuid, anywhere.
CONF_SRC = $(wildcard etc/lv.conf)
CONF_INSIDE = $(or $(DESTDIR),$(filter $(PREFIX)/%,$(CONFFILE)))
INSTALL_CONF = f=$(DESTDIR)$(CONFFILE); [ -z "$(CONF_SRC)" ] || [ -e "$$f" ] || \
	{ mkdir -p "$${f%/*}" && cp $(CONF_SRC) "$$f" && chmod 644 "$$f"; }

install-conf:
	@$(INSTALL_CONF)

# Removes what make install wrote, and the directory of the examples; the
# configuration, the state directory and directories others share stay.
uninstall:
	for n in $(PROGS:bin/%=%); do rm -f $(DESTDIR)$(BINDIR)/$$n; done
	for m in $(MAN); do rm -f $(DESTDIR)$(MANPREFIX)/man$${m##*.}/$${m#doc/}; done
	(cd share/lv && find . -type f) | while read -r f; do rm -f "$(DESTDIR)$(SHAREDIR)/$$f"; done
	(cd share/lv && find . -mindepth 1 -depth -type d) | while read -r d; do \
		rmdir "$(DESTDIR)$(SHAREDIR)/$$d" 2>/dev/null || :; done
	rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null || :
	rm -f $(DESTDIR)$(PAMDIR)/pam_lv.so

# The set-user-ID deployment (lv(7)): the self-service programs owned by
# the service user LV_USER and set-user-ID, an empty state directory and
# key directory beside it (lv-state(5)) only that user can enter, made
# here because their parent is root's, and the configuration where none
# is; then, as root:
# runuser -u $(LV_USER) -- $(BINDIR)/lv-enroll --init
# The support programs are not set-user-ID: root runs them (acting as the
# state directory's owner), or the service user does.
install-setuid: install
	for n in $(SETUID_PROGS); do f=$(DESTDIR)$(BINDIR)/$$n; \
		chown $(LV_USER) $$f && chmod 4755 $$f || exit 1; done
	@$(INSTALL_CONF)
	install -d -o $(LV_USER) -m 0700 $(DESTDIR)$(STATEDIR) $(DESTDIR)$(STATEDIR)-key

clean:
	rm -rf bin lib/*.o lib/liblv.a lib/lv_build.h pam/*.so pam/pam_lv_bindir.h t/bin/*.so $(TESTPROGS)

.PHONY: all testbins deps $(DEPS) check demo install install-conf install-setuid uninstall clean FORCE
.SECONDARY: $(LIB_OBJ)

# The distributed tests on a GlusterFS volume of its own (needs root and
# /dev/fuse; t/distributed/run installs GlusterFS when missing).
check-distributed: deps-check
	$(MAKE) all
	t/distributed/run

.PHONY: check-distributed

# The help page in a real browser: the reference site (share/lv/web) on
# 127.0.0.1 and two headless Chromium sessions, a computer and a phone.
check-web: deps-web
	$(MAKE) all
	t/web/run

.PHONY: check-web

# Benchmarks (not part of check): bench/run writes bench/RESULTS.md. The
# peers and tools it needs are installed when missing (needs root then).
BENCH_PROGS = bench/bin/populate bench/bin/floor bench/bin/floor-nosync-audit bench/bin/drive

bench/bin/%: bench/%.c lib/liblv.a $(LIB_H)
	@mkdir -p bench/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS)

bench/bin/floor-nosync-audit: bench/floor.c
	@mkdir -p bench/bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) -DAUDIT_SYNC=0 $(ALL_LDFLAGS) -o $@ bench/floor.c $(PKG_LIBS)

bench: deps-bench
	$(MAKE) all $(BENCH_PROGS)
	bench/run $(if $(BENCH_REF),-b $(BENCH_REF))

# BENCH_REF: a build of an earlier release for row 1c, e.g.
#   git worktree add /tmp/lv-prev 7cc6c64 && make -C /tmp/lv-prev all bench/bin/populate
#   make bench BENCH_REF=/tmp/lv-prev
.PHONY: bench

# --- Reliability (doc/RELIABILITY.md): stress runs, fuzzing, sanitizers. ---
# Builds for these go to build/ and fuzz/bin/, apart from bin/.
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

$(ASAN_DIR)/lib/%.o: lib/%.c $(LIB_H)
	@mkdir -p $(@D); echo CC $@; $(SAN_CC) $(SAN_CFLAGS) -c -o $@ $<

$(ASAN_DIR)/lib/liblv.a: $(ASAN_OBJ)
	rm -f $@; ar rcs $@ $(ASAN_OBJ)

$(ASAN_DIR)/bin/%: cmd/%.c $(ASAN_DIR)/lib/liblv.a $(LIB_H)
	@mkdir -p $(@D); echo LD $@; $(SAN_CC) $(SAN_CFLAGS) -shared-libasan -Wl,-rpath,$(SAN_RT) -o $@ $< $(ASAN_DIR)/lib/liblv.a $(PKG_LIBS) $(EXTRA_LIBS_$*)

# The whole suite with ASan+UBSan binaries first on PATH.
check-asan: deps-asan
	$(MAKE) all testbins $(ASAN_PROGS)
	$(SAN_ENV) LV_TEST_BIN=$(CURDIR)/$(ASAN_DIR)/bin LV_TEST_SLOW=1 t/run

# The whole suite with every lv program under valgrind's memcheck.
VG_DIR = build/valgrind
check-valgrind: deps-valgrind
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

fuzz/bin/obj/%.o: lib/%.c $(LIB_H)
	@mkdir -p $(@D); echo CC $@; $(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz/bin/liblv.a: $(FUZZ_OBJ)
	rm -f $@; ar rcs $@ $(FUZZ_OBJ)

fuzz/bin/fuzz_%: fuzz/fuzz_%.c fuzz/*.h fuzz/bin/liblv.a $(LIB_H)
	@echo LD $@; $(SAN_CC) $(SAN_CFLAGS) $(WERROR_FLAG) -fsanitize=fuzzer -o $@ $< fuzz/bin/liblv.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# FUZZTIME seconds per harness; new inputs go to fuzz/bin/work/NAME, findings
# to fuzz/bin/crash-NAME-*.
fuzz: deps-fuzz
	$(MAKE) fuzz-build
	for n in $(FUZZ_NAMES); do mkdir -p fuzz/bin/work/$$n; \
		d=; [ -f fuzz/$$n.dict ] && d=-dict=fuzz/$$n.dict; \
		$(SAN_ENV) fuzz/bin/fuzz_$$n -max_total_time=$(FUZZTIME) -print_final_stats=1 $$d \
			-artifact_prefix=fuzz/bin/crash-$$n- fuzz/bin/work/$$n fuzz/corpus/$$n || exit 1; done

# Every seed through its harness once: quick, for CI.
fuzz-replay: deps-fuzz
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

# The objects that print or use what lib/lv_build.h holds, in every build.
BUILD_H_USERS = lv_ctx lv_cli
$(foreach d,lib $(ASAN_DIR)/lib fuzz/bin/obj,$(BUILD_H_USERS:%=$(d)/%.o)): lib/lv_build.h
