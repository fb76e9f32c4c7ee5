FROM python:3.11-slim AS build
RUN pip install build
FROM python:3.11-slim
# expect: IS105
RUN pip install flask gunicorn
# expect: IS105
RUN python3 -m pip install --upgrade pip
RUN pip install --no-cache-dir flask
RUN PIP_NO_CACHE_DIR=1 pip install flask
RUN --mount=type=cache,target=/root/.cache/pip pip install flask
RUN pip freeze > requirements.txt
ENV PIP_NO_CACHE_DIR=1
RUN pip install requests
