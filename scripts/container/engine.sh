# shellcheck shell=bash
# The container engine and the flags this host needs, for scripts/container-test and
# scripts/container/runtime-compare. Needs `log` and `skip` (a function that reports why no
# container can run and exits). Sets ENGINE (docker|podman) and ENG (the command with its
# flags); `eng ARGS...` runs it. With podman, engine_probe IMAGE finds the flags by trying
# them: the runtime (runc where crun refuses the cgroup layout), the cgroup manager
# (cgroupfs without systemd), and a containers.conf with `default_ulimits = []` (passed through
# CONTAINERS_CONF; /etc/containers is never edited) where the default ulimits are refused.

ENGINE="" ENG=()
# podman without systemd (containers, CI) prints two errors on every run of an image with a
# HEALTHCHECK (it cannot add the systemd timer; the check itself works): those are dropped.
eng() { "${ENG[@]}" "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

engine_detect() {
  if [ "${CONTAINER_ENGINE:-}" != podman ] && command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    ENGINE=docker; ENG=(docker)
  elif [ "${CONTAINER_ENGINE:-}" != docker ] && command -v podman >/dev/null 2>&1; then
    ENGINE=podman; ENG=(podman)
  else
    skip "no container engine: 'docker info' does not answer and podman is not installed (apt-get install podman runc netavark aardvark-dns iptables)"
  fi
  log "engine: $ENGINE ($("${ENG[@]}" --version 2>/dev/null | head -n1))"
}

# engine_probe IMAGE WORKDIR: a container from IMAGE (with /bin/sh) must run, with a published port.
engine_probe() {
  local image=$1 dir=$2 conf flags out lasterr="" found=""
  if [ "$ENGINE" = docker ]; then
    eng run --rm "$image" /bin/sh -c true >/dev/null 2>&1 || skip "docker cannot run a container from $image"
    return 0
  fi
  printf '[containers]\n# default ulimits (nproc, nofile) are refused on some hosts\ndefault_ulimits = []\n' >"$dir/containers.conf"
  for conf in "" "$dir/containers.conf"; do
    for flags in "" "--runtime runc" "--cgroup-manager=cgroupfs" "--runtime runc --cgroup-manager=cgroupfs"; do
      # shellcheck disable=SC2086
      if out=$(CONTAINERS_CONF=${conf:-${CONTAINERS_CONF:-}} timeout 60 podman $flags run --rm -p 127.0.0.1::9 "$image" /bin/sh -c 'echo ok' 2>&1) \
          && [ "${out##*$'\n'}" = ok ]; then
        found=yes; break 2
      fi
      lasterr=$(printf '%s' "$out" | tail -n 3)
    done
  done
  [ -n "$found" ] || skip "podman cannot run a container on this host (tried runc/crun, systemd/cgroupfs, with and without default ulimits); last error: $lasterr"
  if [ -n "$conf" ]; then export CONTAINERS_CONF=$conf; fi
  # shellcheck disable=SC2206
  ENG=(podman $flags)
  log "podman runs containers with: ${flags:-(no extra flags)}${conf:+, CONTAINERS_CONF=$conf (default_ulimits = [])}"
}
