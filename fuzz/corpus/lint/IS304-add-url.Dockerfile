FROM alpine:3.19
# expect: IS304
ADD https://example.com/tool.tar.gz /tmp/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /tmp/
ADD https://github.com/moby/buildkit.git#v0.12.5 /buildkit
ADD local.tar.gz /opt/
