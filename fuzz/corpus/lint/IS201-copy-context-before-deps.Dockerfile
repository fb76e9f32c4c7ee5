FROM python:3.11-slim AS good
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

FROM python:3.11-slim
WORKDIR /app
# expect: IS201
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
RUN npm ci
