FROM debian:bookworm
# expect: IS402
RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
# expect: IS402
RUN apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends --only-upgrade openssl && rm -rf /var/lib/apt/lists/*
RUN pip install --upgrade pip
