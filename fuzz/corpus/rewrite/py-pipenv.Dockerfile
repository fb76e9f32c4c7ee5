FROM python:3.11
RUN pip install pipenv==2026.10.3
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy
COPY report.py .
CMD ["python", "report.py"]
