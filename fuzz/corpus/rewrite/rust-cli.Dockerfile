FROM rust:1.63
WORKDIR /usr/src/wordfreq
COPY . .
RUN cargo build --release
ENV RUST_LOG=info
CMD ["./target/release/wordfreq", "the quick brown fox jumps over the lazy dog the end"]
