FROM alpine:3.19 AS one
# expect: IS403
WORKDIR app
FROM alpine:3.19
WORKDIR /srv
WORKDIR app
WORKDIR $HOME/app
FROM alpine:3.19 AS three
WORKDIR "/src/HelloWorld"
FROM alpine:3.19 AS four
# expect: IS403
WORKDIR "src"
