FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:20-slim
WORKDIR /app
COPY package*.json ./
# expect: IS107
RUN npm ci && npm cache clean --force
RUN npm ci --omit=dev && npm cache clean --force
RUN NODE_ENV=production npm install && npm cache clean --force
RUN npm install -g pm2 && npm cache clean --force
COPY --from=build /app/dist ./dist
