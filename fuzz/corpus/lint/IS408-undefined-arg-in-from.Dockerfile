ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-slim AS a
# expect: IS408
FROM python:${PY_VERSION}-slim AS b
FROM --platform=$BUILDPLATFORM golang:1.22 AS c
