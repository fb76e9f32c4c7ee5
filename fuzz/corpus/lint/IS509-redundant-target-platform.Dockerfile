# expect: IS509
FROM --platform=$TARGETPLATFORM alpine:3.19 AS a
FROM --platform=$BUILDPLATFORM alpine:3.19 AS b
