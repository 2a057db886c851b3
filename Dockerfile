# The Plumber image: one jar, every command (gateway by default; core, icap-mock, demo… as arguments).
#   docker build -t plumber:0.1.0 .
#   docker run --rm -v "$PWD/plumber.yml:/etc/plumber/plumber.yml:ro" -p 8081:8081 plumber:0.1.0
# The Helm chart (helm/plumber) runs it with its own command line: JVM options, JSON logs, then the subcommand.

# --- build: the Maven wrapper on a JDK 21; tests belong to scripts/test, not to the image build ---
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY config/ config/
COPY src/main/ src/main/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -ntp package -Dmaven.test.skip=true -Dspotless.check.skip=true

# --- runtime: a JRE 21 and the shaded jar, as an unprivileged user ---
FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 plumber \
 && useradd --system --uid 10001 --gid plumber --home-dir /app --no-create-home --shell /usr/sbin/nologin plumber
WORKDIR /app
COPY --from=build /src/target/plumber.jar /app/plumber.jar
# The reference configs and demo DLP settings (PLUMBER_HOME/config: the gateway's default --settings file).
COPY config/ /app/config/
ENV PLUMBER_HOME=/app
USER 10001:10001
# core API, gateway (console, API, /metrics, /health), ICAP mock, InfoWatch mock
EXPOSE 8080 8081 1344 9101
# SIGTERM goes straight to the JVM (exec form): the gateway drains in-flight calls and commits before it exits.
# G1 named: with under 1792 MB (a small container) a JDK before 27 would pick the single-threaded Serial collector.
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/plumber.jar"]
CMD ["gateway", "--config", "/etc/plumber/plumber.yml"]
