FROM alpine:3.19
# expect: IS103
RUN apk add curl
# expect: IS103
RUN apk update && apk add --virtual .build gcc musl-dev
RUN apk add --no-cache curl
RUN apk add curl && rm -rf /var/cache/apk/*
RUN apk del curl
