FROM golang:1.22
WORKDIR /src
COPY . .
RUN go mod download
# expect: IS108
RUN go build -o /app ./cmd/server
RUN go vet ./...
CMD ["/app"]
