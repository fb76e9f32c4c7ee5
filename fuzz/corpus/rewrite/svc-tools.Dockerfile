FROM python:3.11
# tools for looking around in the container, and curl for the health check
RUN apt-get update && apt-get install -y vim less curl
WORKDIR /srv/app
COPY . .
RUN mkdir uploads
ENV PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8000/ || exit 1
CMD ["python", "server.py"]
