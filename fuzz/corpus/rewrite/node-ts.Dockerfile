FROM node:18
WORKDIR /usr/src/app
COPY . .
RUN npm ci
RUN npm run build
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
LABEL org.opencontainers.image.title="uptime"
CMD ["node", "dist/index.js"]
