FROM debian:bookworm
# expect: IS303
RUN sudo apt-get update
RUN echo "sudo is mentioned" > /notes
RUN apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*
