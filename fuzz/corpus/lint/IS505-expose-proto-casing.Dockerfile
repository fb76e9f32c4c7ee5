FROM nginx:1.25
# expect: IS505
EXPOSE 80/TCP 443/tcp
EXPOSE 53/udp
