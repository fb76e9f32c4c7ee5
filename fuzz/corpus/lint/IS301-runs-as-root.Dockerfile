FROM alpine:3.19 AS build
USER root
RUN echo build

FROM alpine:3.19
RUN adduser -D app
USER app
RUN echo hi
# expect: IS301
USER root
CMD ["sh"]
