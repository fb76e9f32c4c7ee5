FROM golang:1.19
WORKDIR /src
COPY go.mod ./
COPY . .
RUN go build -o /usr/local/bin/greeter .
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["/usr/local/bin/greeter", "-check"]
CMD ["greeter"]
