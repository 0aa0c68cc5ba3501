FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Exports to import are mounted here, shared by the API and the workers.
VOLUME ["/imports"]
EXPOSE 3000
# The V8 flags are src/runtime-flags.ts's NODE_FLAGS.
ENTRYPOINT ["node", "--max-semi-space-size=64", "bin/resident-hub.mjs"]
CMD ["serve"]
