FROM alpine:3.19
RUN echo a
# expect: IS503
copy a /a
# expect: IS503
Workdir /x
CMD ["sh"]
