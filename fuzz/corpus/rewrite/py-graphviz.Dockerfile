FROM python:3.11
RUN apt-get update && apt-get install -y graphviz vim htop
WORKDIR /app
COPY render.py .
CMD ["python", "render.py"]
