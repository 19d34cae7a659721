# lv: login verification toolkit. POSIX-ish make; see README.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/lv
PAMDIR ?= $(PREFIX)/lib/security
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
PKGS = libsodium libcdb
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
CMD_SRC = $(wildcard cmd/*.c)
PROGS = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
MAN = $(wildcard doc/*.[1-8])

# Debian packages the build, the tests and the demo need.
DEBS = build-essential pkg-config libsodium-dev libcdb-dev bats faketime \
	libqrencode-dev zbar-tools oathtool libpam-google-authenticator \
	pamtester libpam0g-dev mandoc shellcheck curl python3 procps parallel

all: $(PROGS)

lib/liblv.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c lib/*.h
	@echo CC $<; $(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.c lib/liblv.a lib/*.h
	@mkdir -p bin
	@echo LD $@; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/liblv.a $(PKG_LIBS) $(EXTRA_LIBS_$*)

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
	$(MAKE) all
	t/run

demo: deps
	$(MAKE) all
	PATH="$$(pwd)/bin:$$PATH" share/lv/demo

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)
	for p in $(PROGS); do cp $$p $(DESTDIR)$(BINDIR)/ && chmod 755 $(DESTDIR)$(BINDIR)/$${p#bin/}; done
	for m in $(MAN); do s=$${m##*.}; mkdir -p $(DESTDIR)$(MANPREFIX)/man$$s; \
		cp $$m $(DESTDIR)$(MANPREFIX)/man$$s/ && chmod 644 $(DESTDIR)$(MANPREFIX)/man$$s/$${m#doc/}; done
	for f in share/lv/*; do cp $$f $(DESTDIR)$(SHAREDIR)/; done

clean:
	rm -rf bin lib/*.o lib/liblv.a

.PHONY: all deps check demo install clean
.SECONDARY: $(LIB_OBJ)

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
