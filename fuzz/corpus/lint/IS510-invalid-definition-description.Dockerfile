# version of the app
# expect: IS510
ARG VERSION=1.0

# BASE the image to build on
ARG BASE=alpine:3.19

# a stage that builds
# expect: IS510
FROM alpine:3.19 AS build

# final image
FROM alpine:3.19
