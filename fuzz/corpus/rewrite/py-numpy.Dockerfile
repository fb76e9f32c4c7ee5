FROM python:3.11
# BLAS and LAPACK for numpy
RUN apt-get update && apt-get install -y libopenblas-dev liblapack-dev gfortran
WORKDIR /srv
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY compute.py .
CMD ["python", "compute.py"]
