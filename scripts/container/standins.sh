# shellcheck shell=bash
# Stand-in base images, for hosts that cannot pull the Dockerfile's FROM images (no registry):
# Debian bookworm root filesystems made with `debootstrap --variant=minbase`, laid out like the
# images they stand in for, imported into the engine under the exact names the Dockerfile (and
# deploy/docker-compose.yml) use, so those files are built and run unchanged.
#
# Sourced by scripts/container-test. Needs: $ENGINE (docker|podman), the function `eng`
# (the engine with its flags), `log`, `die`; root (or sudo) and debootstrap to make one.
#
# Cache ($RCIE_CONTAINER_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/rcie-container):
#   debs/                  the .deb files debootstrap downloaded (shared by every stand-in)
#   <name>-<key>.tar       a finished root filesystem; <key> hashes its recipe below
# An image in the engine that carries the label io.rcimport.standin=<key> is reused as it is.
# Delete the directory (or change a recipe) to make them again.

STANDIN_SUITE=bookworm
STANDIN_CACHE=${RCIE_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rcie-container}

standin_mirror() {
  # The Debian mirror apt already uses on this host (deb822 or one-line sources), else the default.
  local m
  m=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | grep -v security | grep -oE 'https?://[^ ]+' | head -n1)
  echo "${m:-http://deb.debian.org/debian}"
}

# The recipe for an image name, one item a line: the packages (comma-separated), the shell run in
# the new root filesystem after debootstrap, then the image's settings (`import --change` lines).
# Empty when there is no stand-in for that name.
standin_recipe() {
  local path='PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  case "$1" in
    maven:3.9-eclipse-temurin-17|docker.io/library/maven:3.9-eclipse-temurin-17)
      # Debian's Maven is 3.8.7 (the real image has 3.9.x): the Dockerfile's goals work on both.
      echo "openjdk-17-jdk-headless,maven
ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk
ENV MAVEN_HOME=/usr/share/maven
ENV MAVEN_CONFIG=/root/.m2
ENV LANG=C.UTF-8
ENV $path
CMD [\"mvn\"]" ;;
    eclipse-temurin:17-jre|docker.io/library/eclipse-temurin:17-jre)
      echo "openjdk-17-jre-headless
ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk
ENV LANG=C.UTF-8
ENV $path
CMD [\"/bin/bash\"]" ;;
    prom/prometheus:*|docker.io/prom/prometheus:*)
      # Debian's Prometheus is 2.42 (the Compose file names 3.x): same flags, config and rules
      # syntax for what deploy/ uses. Laid out like the official image: /bin/prometheus, user
      # nobody, data in /prometheus.
      echo "prometheus
[ -e /bin/prometheus ] || ln -s /usr/bin/prometheus /bin/prometheus; [ -e /bin/promtool ] || ln -s /usr/bin/promtool /bin/promtool; mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534:65534
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT [\"/bin/prometheus\"]
CMD [\"--config.file=/etc/prometheus/prometheus.yml\", \"--storage.tsdb.path=/prometheus\"]" ;;
    *) echo "" ;;
  esac
}

standin_key() { printf '%s\n%s\n%s\nv1\n' "$STANDIN_SUITE" "$(standin_mirror)" "$1" | sha256sum | cut -c1-16; }

# standin_ensure IMAGE: make sure IMAGE exists in the engine (pulling or building a stand-in).
standin_ensure() {
  local image=$1 recipe key slug tar
  recipe=$(standin_recipe "$image")
  if [ "${RCIE_STANDINS:-auto}" != always ] && eng image inspect "$image" >/dev/null 2>&1; then
    key=$(eng image inspect --format '{{ index .Config.Labels "io.rcimport.standin" }}' "$image" 2>/dev/null || true)
    if [ -z "$key" ] || [ "$key" = "<no value>" ]; then log "base image $image: present (the real one)"; return 0; fi
    if [ -n "$recipe" ] && [ "$key" = "$(standin_key "$recipe")" ]; then log "base image $image: stand-in present (cached image, key $key)"; return 0; fi
  fi
  if [ "${RCIE_STANDINS:-auto}" = auto ]; then
    if timeout "${RCIE_PULL_TIMEOUT:-60}" "${ENG[@]}" pull -q "$image" >/dev/null 2>&1; then log "base image $image: pulled"; return 0; fi
    log "base image $image: cannot be pulled (no registry?): using a Debian stand-in"
  fi
  [ "${RCIE_STANDINS:-auto}" = never ] && die "base image $image is not available and RCIE_STANDINS=never"
  [ -n "$recipe" ] || die "base image $image is not available and there is no stand-in recipe for it (scripts/container/standins.sh)"
  key=$(standin_key "$recipe")
  slug=$(printf '%s' "$image" | tr -c 'A-Za-z0-9.\n-' '_')
  tar="$STANDIN_CACHE/$slug-$key.tar"
  if [ ! -s "$tar" ]; then standin_make "$recipe" "$tar" || die "could not make the stand-in root filesystem for $image"; fi
  local changes=() line
  while IFS= read -r line; do [ -n "$line" ] && changes+=(--change "$line"); done < <(printf '%s\n' "$recipe" | tail -n +3)
  changes+=(--change "LABEL io.rcimport.standin=$key" --change "LABEL io.rcimport.standin.for=$image")
  log "base image $image: importing stand-in $tar"
  eng import "${changes[@]}" "$tar" "$image" >/dev/null || die "import of $tar as $image failed"
}

standin_make() {
  local recipe=$1 tar=$2 pkgs post root sudo_cmd="" t0=$SECONDS
  pkgs=$(printf '%s\n' "$recipe" | sed -n 1p); post=$(printf '%s\n' "$recipe" | sed -n 2p)
  [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  mkdir -p "$STANDIN_CACHE/debs"
  root=$(mktemp -d "${TMPDIR:-/tmp}/rcie-standin.XXXXXX")
  log "debootstrap --variant=minbase $STANDIN_SUITE + $pkgs (mirror $(standin_mirror)) ..."
  if ! $sudo_cmd debootstrap --variant=minbase --cache-dir="$STANDIN_CACHE/debs" --include="$pkgs" \
        "$STANDIN_SUITE" "$root" "$(standin_mirror)" >"$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2; $sudo_cmd rm -rf "$root"; return 1
  fi
  if ! $sudo_cmd chroot "$root" /bin/sh -ec "mkdir -p /opt/java; $post; apt-get clean; rm -rf /var/lib/apt/lists/* /usr/share/doc /usr/share/man /usr/share/info /var/log/*.log"; then
    log "the stand-in's post-install step failed: $post"; $sudo_cmd rm -rf "$root" "$root.log"; return 1
  fi
  $sudo_cmd tar -C "$root" --numeric-owner -cf "$tar.part" . && mv "$tar.part" "$tar"
  $sudo_cmd rm -rf "$root" "$root.log"
  log "stand-in root filesystem $(basename "$tar"): $(du -h "$tar" | cut -f1), made in $((SECONDS - t0)) s"
}
