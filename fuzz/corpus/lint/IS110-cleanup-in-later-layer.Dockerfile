FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
# expect: IS110
RUN rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN echo between
# expect: IS110
RUN apt-get purge -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
RUN rm -rf /tmp/*
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
RUN wget -O /tmp/x.deb https://example.com/x.deb \
	&& dpkg -i /tmp/x.deb \
	&& rm -rf /var/lib/apt/lists/* /tmp/x.deb
RUN apt-get update && apt-get install -y --no-install-recommends make
# expect: IS110
RUN cd /usr/src \
	&& rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends jq
# expect: IS110
RUN rm -rf /var/lib/apt/lists/*; echo done
