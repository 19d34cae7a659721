# GlusterFS for the distributed tests: one glusterd, a replica-3 volume on
# three bricks and two FUSE mounts (two "login hosts"), all under $GL_TOP.
# t/distributed/run calls gl_setup and gl_teardown inside its own mount, PID
# and network namespaces; tests source this file for the brick helpers.
#
# Environment (exported by gl_setup): GL_TOP, GL_VOL, GL_HOST, LV_MNT_A,
# LV_MNT_B.

GL_VOL=${GL_VOL:-lv}
# glusterd refuses 127.0.0.1 and localhost as brick hosts; any other loopback
# address is accepted and stays inside the network namespace.
GL_HOST=${GL_HOST:-127.0.0.2}

# Volume options for lv's store; lv-state(5), FILESYSTEMS, has the
# evidence. stat-prefetch (md-cache) off is required: without it a read
# through one mount after a rename through the other sees the old file. The
# other caches are off as in GlusterFS's own db-workload profile. 32 event
# threads (the most): GlusterFS 10's client deadlocks once as many lock
# requests are interrupted at once as it has event threads (t9200).
GL_VOLUME_OPTIONS=(
	cluster.quorum-type auto
	cluster.consistent-metadata on
	performance.write-behind off
	performance.flush-behind off
	performance.quick-read off
	performance.io-cache off
	performance.read-ahead off
	performance.stat-prefetch off
	performance.open-behind off
	performance.readdir-ahead off
	client.event-threads 32
)
# FUSE: no attribute, entry or negative-lookup caching in the kernel (with
# the 1 s defaults a stat after another mount's rename sees the old size).
GL_MOUNT_OPTIONS=(--attribute-timeout=0 --entry-timeout=0 --negative-timeout=0)
# To repeat the experiments that chose them: GL_OPTIONS="key value ..." and
# GL_FUSE_OPTIONS="--opt=value ..." replace the lists ("" for the defaults).
[ -z "${GL_OPTIONS+set}" ] || read -ra GL_VOLUME_OPTIONS <<<"$GL_OPTIONS"
[ -z "${GL_FUSE_OPTIONS+set}" ] || read -ra GL_MOUNT_OPTIONS <<<"$GL_FUSE_OPTIONS"

gl_log() {
	printf '# %s\n' "$*" >&2
}

# gl_wait SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# fails after SECONDS. The only way these tests wait.
gl_wait() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			gl_log "timed out after ${limit}s waiting for: $*"
			return 1
		fi
		sleep 0.1
	done
}

gl_cli() {
	gluster --mode=script "$@"
}

# gl_alive PID: the process exists and is not a zombie.
gl_alive() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}

gl_dead() {
	! gl_alive "$1"
}

# gl_stop_pid PID: TERM, then KILL if it is still there after 10 s.
gl_stop_pid() {
	gl_alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null
	gl_wait 10 gl_dead "$1" && return 0
	kill -KILL "$1" 2>/dev/null
	gl_wait 5 gl_dead "$1"
}

# gl_node_field PATH FIELD: pid, status (1 online) or port of the process
# glusterd lists with that path (a brick's directory; "localhost" for the
# self-heal daemon), from glusterd's own view.
gl_node_field() {
	gl_cli volume status "$GL_VOL" --xml 2>/dev/null | awk -v want="$1" -v f="$2" '
		/<node>/ { path = "" }
		/<path>/ { sub(/.*<path>/, ""); sub(/<\/path>.*/, ""); path = $0 }
		path == want && $0 ~ "<" f ">" {
			sub(".*<" f ">", ""); sub("</" f ">.*", ""); print; exit
		}'
}

# gl_brick_field N FIELD: the same for brick N (1-3).
gl_brick_field() {
	gl_node_field "$GL_TOP/bricks/$1" "$2"
}

gl_brick_pid() {
	gl_brick_field "$1" pid
}

gl_brick_online() {
	[ "$(gl_brick_field "$1" status)" = 1 ]
}

gl_brick_offline() {
	[ "$(gl_brick_field "$1" status)" = 0 ]
}

# gl_connected MOUNT N: the client of MOUNT is connected to brick N, as the
# client itself reports it in its .meta tree.
gl_connected() {
	grep -qx 'connected = 1' "$1/.meta/graphs/active/$GL_VOL-client-$(($2 - 1))/private" 2>/dev/null
}

gl_all_connected() {
	local m n
	for m in "$LV_MNT_A" "$LV_MNT_B"; do
		for n in 1 2 3; do
			gl_connected "$m" "$n" || return 1
		done
	done
}

# gl_brick_kill N: kill -9 brick N's process (a storage node lost).
gl_brick_kill() {
	local pid
	pid=$(gl_brick_pid "$1")
	if [ -z "$pid" ] || [ "$pid" -le 0 ]; then
		gl_log "no pid for brick $1"
		return 1
	fi
	kill -KILL "$pid" || return 1
	gl_wait 10 gl_dead "$pid" && gl_wait 30 gl_brick_offline "$1"
}

# gl_brick_start N: restart the killed brick and wait until both clients are
# connected to it again.
gl_brick_start() {
	gl_cli volume start "$GL_VOL" force >/dev/null || return 1
	gl_wait 30 gl_brick_online "$1" && gl_wait 30 gl_all_connected
}

# Pending heal entries summed over the bricks; fails while any brick's count
# is unknown (a brick not connected to the heal daemon).
gl_heal_pending() {
	gl_cli volume heal "$GL_VOL" info 2>/dev/null | awk '
		/^Number of entries:/ { n++; if ($4 !~ /^[0-9]+$/) bad = 1; sum += $4 }
		END { if (n != 3 || bad) exit 1; print sum }'
}

gl_healed() {
	[ "$(gl_heal_pending)" = 0 ]
}

# gl_heal_wait: start an index heal and wait until nothing is pending.
gl_heal_wait() {
	gl_cli volume heal "$GL_VOL" >/dev/null 2>&1
	gl_wait 120 gl_healed
}

# gl_mount NAME DIR: the client daemon must not keep bats' descriptors.
gl_mount() {
	mkdir -p "$2" &&
		glusterfs --volfile-server="$GL_HOST" --volfile-id="$GL_VOL" "${GL_MOUNT_OPTIONS[@]}" \
			--log-file="$GL_TOP/log/mnt-$1.log" --pid-file="/run/gluster/mnt-$1.pid" "$2" \
			3>&- </dev/null >/dev/null &&
		gl_wait 30 mountpoint -q "$2"
}

# glusterd and its tools use fixed paths (/var/lib/glusterd, /run/gluster,
# /run/glusterd.socket, /var/log/glusterfs) whatever their options say, so
# in a private mount namespace those become a fresh /run and directories
# under $GL_TOP: nothing is written outside, nothing of the host's is seen.
gl_private_dirs() {
	mkdir -p "$GL_TOP/lib" "$GL_TOP/log" /var/lib/glusterd /var/log/glusterfs &&
		mount -n -t tmpfs -o mode=0755 lv-gluster-run /run &&
		mkdir -p /run/gluster /run/lock && ln -s /dev/shm /run/shm &&
		mount -n --bind "$GL_TOP/lib" /var/lib/glusterd &&
		mount -n --bind "$GL_TOP/log" /var/log/glusterfs
}

gl_start_glusterd() {
	glusterd --pid-file=/run/gluster/glusterd.pid \
		--xlator-option "management.transport.socket.bind-address=$GL_HOST" &&
		gl_wait 30 gl_glusterd_ready
}

gl_glusterd_ready() {
	gl_cli volume list >/dev/null 2>&1
}

gl_create_volume() {
	local i
	mkdir -p "$GL_TOP/bricks/1" "$GL_TOP/bricks/2" "$GL_TOP/bricks/3" || return 1
	# force: the bricks are on the root filesystem.
	gl_cli volume create "$GL_VOL" replica 3 "$GL_HOST:$GL_TOP/bricks/1" \
		"$GL_HOST:$GL_TOP/bricks/2" "$GL_HOST:$GL_TOP/bricks/3" force >/dev/null || return 1
	for ((i = 0; i < ${#GL_VOLUME_OPTIONS[@]}; i += 2)); do
		gl_cli volume set "$GL_VOL" "${GL_VOLUME_OPTIONS[i]}" "${GL_VOLUME_OPTIONS[i + 1]}" >/dev/null || return 1
	done
	gl_cli volume start "$GL_VOL" >/dev/null &&
		gl_wait 30 gl_brick_online 1 && gl_wait 30 gl_brick_online 2 && gl_wait 30 gl_brick_online 3
}

# gl_setup: everything, under GL_TOP (which must exist and be empty).
gl_setup() {
	export GL_TOP GL_VOL GL_HOST
	export LV_MNT_A="$GL_TOP/mnt/a" LV_MNT_B="$GL_TOP/mnt/b"
	gl_private_dirs && gl_start_glusterd && gl_create_volume &&
		gl_mount a "$LV_MNT_A" && gl_mount b "$LV_MNT_B" &&
		gl_wait 30 gl_all_connected
}

# gl_mounted DIR: DIR is a mount point, seen without touching it (a stat of
# a hung FUSE mount would hang too).
gl_mounted() {
	awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# gl_unmount DIR: without resolving DIR (which would stat it); lazily when
# a hung program keeps it busy.
gl_unmount() {
	gl_mounted "$1" || return 0
	timeout 10 umount -c "$1" 2>/dev/null || umount -l -c "$1"
}

# gl_teardown: unmount, stop the volume, stop every process it started by
# the process ids glusterd and the clients recorded; never fails early.
gl_teardown() {
	local m f pids=()
	for m in "$GL_TOP/mnt/a" "$GL_TOP/mnt/b"; do
		gl_unmount "$m"
	done
	if [ -S /run/glusterd.socket ]; then
		timeout 60 gluster --mode=script volume stop "$GL_VOL" force >/dev/null 2>&1
	fi
	# glusterd last: it restarts nothing once the volume is stopped.
	while IFS= read -r f; do
		pids+=("$(cat "$f" 2>/dev/null)")
	done < <(find /run/gluster -name '*.pid' ! -name glusterd.pid 2>/dev/null; echo /run/gluster/glusterd.pid)
	for f in "${pids[@]}"; do
		case $f in '' | *[!0-9]*) continue ;; esac
		gl_stop_pid "$f"
	done
	for m in /var/log/glusterfs /var/lib/glusterd /run; do
		gl_unmount "$m"
	done
	return 0
}

# gl_lock_hold PATH [flock]: takes lv's kind of lock (fcntl F_SETLK), or a
# flock lock, on PATH in a background process and keeps it until
# gl_lock_release; fails if the lock is busy. Sets GL_HOLD_PID.
gl_lock_hold() {
	local fifo line kind=${2:-lock}
	fifo=$(mktemp -u "${BATS_TEST_TMPDIR:-/tmp}/hold.XXXXXX")
	mkfifo "$fifo.in" "$fifo.out" || return 1
	# fd 3 closed: bats waits for every holder of it.
	fstool "$kind" "$1" <"$fifo.in" >"$fifo.out" 3>&- &
	GL_HOLD_PID=$!
	exec {GL_HOLD_FD}>"$fifo.in"
	read -r -t 30 line <"$fifo.out"
	rm -f "$fifo.in" "$fifo.out"
	[ "$line" = locked ]
}

# gl_lock_release: the holder's stdin ends, it exits and so unlocks.
gl_lock_release() {
	exec {GL_HOLD_FD}>&-
	wait "$GL_HOLD_PID"
}

gl_shd_online() {
	[ "$(gl_node_field localhost status)" = 1 ]
}

gl_shd_detached() {
	[ -z "$(gl_node_field localhost status)" ]
}

# gl_heal_daemon off|on: stops or resumes the self-heal daemon's work on the
# volume (clients do not heal by default), so a brick that missed changes
# stays behind for as long as a test needs.
gl_heal_daemon() {
	gl_cli volume set "$GL_VOL" cluster.self-heal-daemon "$1" >/dev/null || return 1
	if [ "$1" = off ]; then
		gl_wait 30 gl_shd_detached
	else
		gl_wait 30 gl_shd_online
	fi
}

# gl_restore: every brick up, the heal daemon on and nothing left to heal,
# for the next test.
gl_restore() {
	local n
	gl_shd_online || gl_heal_daemon on || return 1
	for n in 1 2 3; do
		gl_brick_online "$n" || gl_brick_start "$n" || return 1
	done
	gl_heal_wait
}

# --- lv on the volume ------------------------------------------------------

# lv_volume_state: a state directory of the test's own on the volume, seen
# as $SA through mount A and as $SB through mount B (two login hosts), made
# by lv-enroll --init through A; each host's configuration is the same local
# file $LV_CONF ("key = value" lines given as arguments).
lv_volume_state() {
	local name
	name="${BATS_TEST_FILENAME##*/}"
	name="${name%.bats}-$BATS_TEST_NUMBER"
	SA="$LV_MNT_A/$name/state" SB="$LV_MNT_B/$name/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	unset LV_DIR
	printf '%s\n' "$@" >"$LV_CONF"
	chmod 600 "$LV_CONF"
	mkdir "$LV_MNT_A/$name" && lv-enroll --init -d "$SA" && [ -d "$SB" ]
}

# on A|B CMD...: CMD run by the login host of mount A or B.
on() {
	local dir=$SA
	[ "$1" = A ] || dir=$SB
	shift
	LV_DIR=$dir "$@"
}

# race N INPUT CMD...: N processes of CMD at once, each with INPUT on stdin,
# alternately through mount A and mount B (the first through A in odd
# rounds, B in even ones: $ROUND). Leaves the exit codes in RC[i], the mount
# of each in VIA[i] and the output in race.out.i and race.err.i.
race() {
	local n=$1 input=$2 i first pids=()
	shift 2
	first=$((${ROUND:-1} % 2))
	RC=() VIA=()
	for ((i = 0; i < n; i++)); do
		if [ $(((i + first) % 2)) = 1 ]; then VIA[i]=A; else VIA[i]=B; fi
		on "${VIA[i]}" "$@" <"$input" >"race.out.$i" 2>"race.err.$i" 3>&- &
		pids[i]=$!
	done
	for i in "${!pids[@]}"; do
		RC[i]=0
		wait "${pids[i]}" || RC[i]=$?
	done
}

# race_summary: the sorted exit codes of the last race, space-separated.
race_summary() {
	printf '%s\n' "${RC[@]}" | sort -n | tr '\n' ' '
}

# race_winner: the mount (A or B) of the one racer that exited 0.
race_winner() {
	local i
	for i in "${!RC[@]}"; do
		[ "${RC[i]}" != 0 ] || echo "${VIA[i]}"
	done
}
