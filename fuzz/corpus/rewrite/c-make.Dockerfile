FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y build-essential libsqlite3-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY . .
RUN make && make install PREFIX=/usr/local
ENV NOTES_DB=/tmp/notes.db
ENTRYPOINT ["notes"]
CMD ["list"]
