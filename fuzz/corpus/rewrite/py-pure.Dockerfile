FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY report.py .
# a non-root user for the service
RUN useradd --create-home --uid 1001 reporter
USER reporter
ENTRYPOINT ["python", "report.py"]
CMD ["--rows", "3"]
