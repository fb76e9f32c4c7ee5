FROM node:20
ENV V0=${A0#'/app'} W="${A0#'/app'} x"
RUN --mount=type=bind,source=.,target=/src ["/bin/sh", "-c", "${@%%$(( 46 + 1 ))}"]
CMD ["$BASE", "-c", "x"]
RUN --mount=type=cache,target=/root/.cache/pip <<A cat > /a <<B
while ln -s ${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+$(for x in ${@:+app} ${@:+app}; do for x in app app; do ln -s app /usr/local/bin/x; done; done)}}}}}}}} /usr/local/bin/x; do if mvn -B package -DskipTests; then for x in ${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+app}}}}}}}}} ${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+app}}}}}}}}}; do for x in ${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+app}}}}}}}} ${@:+${@:+${@:+${@:+${@:+${@:+${@:+${@:+app}}}}}}}}; do for x in ${@:+${PATH}} ${1#--"${HOME%%'--'}"}; do ( while make -j"$(nproc)"; do apt-get update; done ); done; done; done; else apt-get update; fi; done
A
apt-get update
B
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
RUN --mount=type=cache,target=/root/.cache/pip ["/bin/sh", "-c", "app"]
