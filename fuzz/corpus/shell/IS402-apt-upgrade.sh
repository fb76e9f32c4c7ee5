apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get install -y --no-install-recommends --only-upgrade openssl && rm -rf /var/lib/apt/lists/*
pip install --upgrade pip