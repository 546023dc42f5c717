# syntax=docker/dockerfile:1
#
# rocketchat-import-exporter image: build the fat jar with Maven, run it on a JRE as UID 10001.
#
#   docker build -t rocketchat-import-exporter:0.1.0 .
#   docker run -d --name rcie -p 9467:9467 \
#     -e RC_URL=https://chat.example.com -e RC_USER_ID -e RC_AUTH_TOKEN \
#     rocketchat-import-exporter:0.1.0
#   docker run --rm -p 9467:9467 rocketchat-import-exporter:0.1.0 --demo      # no Rocket.Chat needed
#
# deploy/README.md has the rest (own config file, JVM flags, Compose, Kubernetes).
# Checked by src/test/java/io/rcimport/exporter/deploy/DockerfileTest.java.

# ---- build ------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when pom.xml changes, not on every source edit.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# ---- runtime ----------------------------------------------------------------------------
# The JRE image (Ubuntu based) rather than a jlink'ed runtime: jdeps misses modules loaded
# by name at run time (jdk.crypto.ec for TLS to https:// servers, jdk.localedata,
# jdk.zipfs, ...), and the sharded Kubernetes StatefulSet needs /bin/sh.
FROM eclipse-temurin:17-jre

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="rocketchat-import-exporter" \
      org.opencontainers.image.description="Prometheus exporter and alerting agent for Rocket.Chat's data import (import.status)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:17-jre"

# A system user with a fixed numeric UID/GID, so Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 rcie \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin rcie

# The agent's state across restarts (storage.path of the default config): a volume, so a new
# container of the same name (an upgrade) finds it; owned by the agent's user.
RUN mkdir -p /var/lib/rocketchat-import-exporter \
 && chown 10001:10001 /var/lib/rocketchat-import-exporter
VOLUME ["/var/lib/rocketchat-import-exporter"]

WORKDIR /app
COPY --from=build /src/target/rocketchat-import-exporter.jar /app/rocketchat-import-exporter.jar
COPY bin/jvm.options /app/jvm.options
COPY deploy/docker/config.yaml /etc/rocketchat-import-exporter/config.yaml

USER 10001:10001
EXPOSE 9467

# No curl in the image: a tiny JDK-only class does the GET (exit 0 on 200, else 1).
# It assumes server.port 9467; with another port, override HEALTHCHECK or use the probes
# of your orchestrator.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx16m", "-cp", "/app/rocketchat-import-exporter.jar", "io.rcimport.exporter.HealthCheck", "http://127.0.0.1:9467/health"]

# JVM flags: /app/jvm.options (= bin/jvm.options); mount another file there to change them.
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/rocketchat-import-exporter.jar"]
CMD ["--config", "/etc/rocketchat-import-exporter/config.yaml"]
