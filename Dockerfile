# One image for an app node: the SvelteKit pages, Socket.IO signaling and the mediasoup SFU.
FROM node:24-bookworm AS build
# mediasoup's worker is built from its npm sources against Debian's libraries (no downloads), with
# libsrtp built in statically from Debian's libsrtp2 source package (build-worker.sh fetches it with
# `apt-get source`; dpkg-dev unpacks it).
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ meson ninja-build pkg-config python3 libssl-dev \
     libuv1-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler dpkg-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY db/package.json db/
COPY core/package.json core/
COPY demo/package.json demo/
COPY media-server/package.json media-server/
COPY signaling/package.json signaling/
COPY web/package.json web/
COPY e2e/package.json e2e/
RUN npm ci
COPY . .
# Dependency fixes upstream has not released (patches/); npm ci ran before they were copied in.
RUN npx patch-package --error-on-fail \
  && FAIRGROUND_CACHE_DIR=/opt/fairground bash media-server/scripts/build-worker.sh | tail -n 1 > /tmp/worker \
  && install -m 0755 "$(cat /tmp/worker)" /usr/local/bin/mediasoup-worker \
  && npm run build \
  && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends libssl3 libuv1 libusrsctp2 libabsl20220623 \
     libflatbuffers2 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /usr/local/bin/mediasoup-worker /usr/local/bin/mediasoup-worker
COPY --from=build /app /app
ENV NODE_ENV=production \
    MEDIASOUP_WORKER_BIN=/usr/local/bin/mediasoup-worker \
    WEB_HANDLER=web/build/handler.js \
    PORT=3000
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "signaling/src/main.ts"]
