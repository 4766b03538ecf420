# OptiInfra server image: API, portal, workflow workers and agents (one image, roles by env).
# Build: docker build -t optiinfra:0.1.0 .
# Runs as an unprivileged user; state lives in PostgreSQL (DATABASE_URL), nothing on local disk.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY portal ./portal
COPY api ./api
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build:portal && npm prune --omit=dev

FROM node:20-bookworm-slim
# git: the GitOps actuator writes deployment repositories
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 OPTIINFRA_DATA_DIR=/var/lib/optiinfra OPTIINFRA_DEMO=false
COPY --from=build /app /app
RUN useradd --system --uid 10001 --home-dir /var/lib/optiinfra --create-home optiinfra \
  && chmod 0700 /var/lib/optiinfra
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/optiinfra.js"]
CMD ["start"]
