# A Python service with its own compiled C extension.
FROM python:3.11

RUN apt-get update && apt-get install -y build-essential python3-dev

WORKDIR /srv/app
COPY . .
RUN pip install .

ENV APP_MODE=production
EXPOSE 8000
CMD ["fastsum", "1000000"]
