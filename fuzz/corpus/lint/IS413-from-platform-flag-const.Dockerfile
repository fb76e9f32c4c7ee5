# expect: IS413
FROM --platform=linux/amd64 alpine:3.19 AS base
FROM --platform=linux/amd64 alpine:3.19 AS build_amd64
FROM --platform=$BUILDPLATFORM alpine:3.19 AS cross
FROM alpine:3.19
