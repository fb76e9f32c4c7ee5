FROM python:3.11
# the machine's proxy CA is in the system store only; poetry reads it from here
ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
RUN pip install poetry==2.5.1
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry config virtualenvs.create false && poetry install --no-root --only main
COPY report.py .
CMD ["python", "report.py"]
