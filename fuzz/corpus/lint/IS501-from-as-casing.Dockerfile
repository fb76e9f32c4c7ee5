# expect: IS501
FROM alpine:3.19 as build
# expect: IS501
from alpine:3.19 AS other
FROM alpine:3.19 AS good
