apk add curl
apk update && apk add --virtual .build gcc musl-dev
apk add --no-cache curl
apk add curl && rm -rf /var/cache/apk/*
apk del curl