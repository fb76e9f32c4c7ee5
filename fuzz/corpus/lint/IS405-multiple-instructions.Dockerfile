FROM alpine:3.19
# expect: IS405
CMD ["a"]
# expect: IS405
ENTRYPOINT ["x"]
CMD ["b"]
ENTRYPOINT ["y"]
HEALTHCHECK CMD true
FROM alpine:3.19
CMD ["c"]
