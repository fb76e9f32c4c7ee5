FROM alpine:3.19
# expect: IS412
COPY README.md /docs/
# expect: IS412
COPY secrets/token /run/
COPY KEEP.md /docs/
COPY app.py /app/
COPY --from=alpine:3.19 /etc/os-release README.md
