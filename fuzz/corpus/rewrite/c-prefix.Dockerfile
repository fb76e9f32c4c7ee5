FROM debian:bookworm
RUN apt-get update && apt-get install -y gcc make libc6-dev
WORKDIR /src
COPY . .
RUN make install PREFIX=/opt/greet
ENV PATH=/opt/greet/bin:$PATH
CMD ["greet"]
