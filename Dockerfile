# Build: the `hall` binary in release mode (SQLite is bundled; libpq is linked).
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin hall

# Run: a small Debian with libpq, as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/hall --create-home hall
COPY --from=build /src/target/release/hall /usr/local/bin/hall
USER hall
WORKDIR /var/lib/hall
ENV HALL_BIND=0.0.0.0:8080
# glibc gives each new thread its own malloc arena, up to eight per core; the database work runs
# on up to twenty threads. Two arenas keep about 2 MiB less resident at 200 connections for no
# loss measured (docs/BENCHMARKS.md, issue 19).
ENV MALLOC_ARENA_MAX=2
EXPOSE 8080
ENTRYPOINT ["hall"]
CMD ["serve"]
