FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Exports to import are mounted here, shared by the API and the workers.
VOLUME ["/imports"]
EXPOSE 3000
ENTRYPOINT ["node", "bin/resident-hub.mjs"]
CMD ["serve"]
