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
PKGS = libsodium libcdb
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DLV_STATEDIR='"$(STATEDIR)"' -DLV_CONFFILE='"$(CONFFILE)"' $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
CMD_SRC = $(wildcard cmd/*.c)
PROGS = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
MAN = $(wildcard doc/*.[1-8])
TESTPROGS = t/bin/totp-vectors t/bin/hint-cas

# Only lv-enroll draws QR codes (lib/lv_qr.c), so only it links libqrencode.
EXTRA_LIBS_lv-enroll = $(shell pkg-config --libs libqrencode)
lib/lv_qr.o: ALL_CFLAGS += $(shell pkg-config --cflags libqrencode)

# Debian packages the build, the tests and the demo need.
DEBS = build-essential pkg-config libsodium-dev libcdb-dev bats faketime \
	libqrencode-dev zbar-tools oathtool libpam-google-authenticator \
	pamtester libpam0g-dev mandoc shellcheck curl python3 procps parallel \
	openssh-server openssh-client man-db

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
testbins: $(TESTPROGS) t/bin/pam_authtok_check.so

t/bin/pam_authtok_check.so: t/pam_authtok_check.c
	@mkdir -p t/bin
	@echo CC $@; $(CC) $(WARN) -fPIC -shared -o $@ t/pam_authtok_check.c -lpam

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
# never touches the state directory), and an empty state directory only that user
# can enter; then, as root: runuser -u $(LV_USER) -- $(BINDIR)/lv-enroll --init
install-setuid: install
	for p in $(filter-out bin/lv-device,$(PROGS)); do f=$(DESTDIR)$(BINDIR)/$${p#bin/}; \
		chown $(LV_USER) $$f && chmod 4755 $$f || exit 1; done
	install -d -o $(LV_USER) -m 0700 $(DESTDIR)$(STATEDIR)

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
	bench/run

.PHONY: bench
