FROM golang:1.22 AS build
RUN echo one
# expect: IS407
FROM node:20 AS Build
RUN echo two
FROM alpine:3.19 AS final
