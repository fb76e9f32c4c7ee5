FROM python:3.11-slim AS a
# expect: IS404
CMD python app.py
# expect: IS404
ENTRYPOINT exec gunicorn -b 0.0.0.0:$PORT app:app
FROM python:3.11-slim
CMD ["python", "app.py"]
ENTRYPOINT ["/entrypoint.sh"]
FROM python:3.11-slim AS custom
SHELL ["/bin/bash", "-c"]
CMD python app.py
