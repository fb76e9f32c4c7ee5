npm ci --omit=dev
yarn install --production
npm ci --omit=dev && npm cache clean --force
--mount=type=cache,target=/root/.npm npm ci --omit=dev
yarn install --production && yarn cache clean
npm run start