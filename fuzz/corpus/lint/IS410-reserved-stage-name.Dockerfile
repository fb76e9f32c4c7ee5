# expect: IS410
FROM alpine:3.19 AS scratch
# expect: IS410
FROM alpine:3.19 AS context
FROM alpine:3.19 AS base
