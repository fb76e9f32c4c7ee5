sudo apt-get update
echo "sudo is mentioned" > /notes
apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*