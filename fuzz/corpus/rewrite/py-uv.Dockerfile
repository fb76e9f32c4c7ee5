FROM python:3.11
# the machine's proxy CA is in the system store only; uv reads it from here
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
RUN pip install uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
ENV PATH="/app/.venv/bin:$PATH"
COPY report.py .
CMD ["python", "report.py"]
