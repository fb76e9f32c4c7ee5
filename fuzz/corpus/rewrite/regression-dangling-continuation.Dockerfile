FROM node:18
RUN npm install -g @nmppnode:18
RUN npm install -g @nmpp9.15.9.15.9ild
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
CMD ["nROM node:18
RUN npm install -g @nmppnode:18
RUN ode", "dist/index.js"\
