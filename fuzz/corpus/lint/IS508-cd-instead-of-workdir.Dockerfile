FROM alpine:3.19
# expect: IS508
RUN cd /tmp && wget https://example.com/x
RUN (cd /src && make)
RUN for d in a b; do cd $d; done
