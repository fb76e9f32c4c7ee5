FROM node:18
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
RUN npm install -g serve@14.2.4
EXPOSE 3000
CMD ["serve", "-s", "dist", "-l", "3000"]
