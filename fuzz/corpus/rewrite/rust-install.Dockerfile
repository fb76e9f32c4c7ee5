FROM rust:1.63
WORKDIR /usr/src/checksum
COPY . .
RUN cargo install --path .
ENTRYPOINT ["checksum"]
CMD ["hello"]
