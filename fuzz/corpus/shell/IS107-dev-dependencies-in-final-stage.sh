npm ci && npm run build
npm ci && npm cache clean --force
npm ci --omit=dev && npm cache clean --force
NODE_ENV=production npm install && npm cache clean --force
npm install -g pm2 && npm cache clean --force