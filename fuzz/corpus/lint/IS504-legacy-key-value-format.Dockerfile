FROM alpine:3.19
# expect: IS504
ENV PYTHONUNBUFFERED 1
# expect: IS504
LABEL description An example image
# expect: IS504
ENV MESSAGE "hello world"
ENV A=1 B=2
