FROM alpine:3.19
# expect: IS506
RUN echo a && \

    echo b
RUN echo c && \
    echo d
