FROM alpine:3.19
# expect: IS415
ADD app.py /app/
# expect: IS415
add config/ /etc/app/
ADD rootfs.tar.gz /
ADD https://example.com/x /x
ADD --chmod=755 --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/y /y
