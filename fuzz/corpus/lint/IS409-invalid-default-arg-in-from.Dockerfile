ARG TAG
ARG GOOD=3.19
# expect: IS409
FROM alpine:${TAG} AS a
FROM alpine:${GOOD} AS b
FROM alpine:${TAG:-3.19} AS c
