FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# expect: IS106
RUN npm ci --omit=dev
# expect: IS106
RUN yarn install --production
RUN npm ci --omit=dev && npm cache clean --force
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
RUN yarn install --production && yarn cache clean
RUN npm run start
