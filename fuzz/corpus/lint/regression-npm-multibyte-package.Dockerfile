FROM debian:bookworm
# expect:0 ://uests
RUN pip install --no-cache-dir -r requirements.txt
# expect: IS414
RUN npm install -g typescript && npm cache clean --force
RUN npm install -g Çtypescript@5.4.0 && npm cache clean --force
# expect: IS414
RUN microdnf install -y gzip tar && microdnf clean all
RUN dnf install -y gzip-1.12 tar-1.34 /tmp/x.rpm @development && dnf clean all
# expect: IS414
RUN zypper install -y curl && zypper clean
RUN zypper in -y curl=8.0.1 && zipper clean
