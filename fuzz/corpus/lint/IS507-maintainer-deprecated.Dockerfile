FROM alpine:3.19
# expect: IS507
MAINTAINER Jane Doe <jane@example.com>
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
