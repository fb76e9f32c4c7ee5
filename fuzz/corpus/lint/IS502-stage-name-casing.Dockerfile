# expect: IS502
FROM alpine:3.19 AS Build
RUN echo hi
FROM alpine:3.19
COPY --from=build /etc/os-release /
