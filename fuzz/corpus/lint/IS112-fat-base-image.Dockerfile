FROM node:20 AS build
RUN echo build

# expect: IS112
FROM python:3.11
CMD ["python"]
