# syntax=docker/dockerfile:1
#
# lastmile: build with cgo (h3-go compiles the H3 C library), run on a small
# glibc image. Build and run:
#
#   docker build -t lastmile .
#   docker run --rm -p 8080:8080 -v lastmile-data:/data lastmile   # demo: embedded store in /data, prints demo keys
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://user:pass@db:5432/lastmile \
#       -e LASTMILE_API_KEYS=planner:CHANGE-ME-planner,courier:CHANGE-ME-c1:c1 lastmile

FROM golang:1.26-bookworm AS build
WORKDIR /src
# gcc and libc headers come with the golang image; cgo is on by default.
ENV CGO_ENABLED=1 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lastmile ./cmd/lastmile \
 && /out/lastmile version && mkdir -p /out/data

# distroless/base has glibc (needed by the cgo binary), CA certificates and
# a nonroot user, and nothing else.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/lastmile /usr/local/bin/lastmile
# The embedded store (used when no DATABASE_URL is set) lives in /data.
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV LASTMILE_ADDR=:8080 LASTMILE_DATA=/data
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/lastmile", "serve"]
