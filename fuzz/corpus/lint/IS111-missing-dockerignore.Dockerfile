FROM python:3.11-slim
COPY requirements.txt .
# expect: IS111
COPY . /app
COPY . /again
