pip install build
pip install flask gunicorn
python3 -m pip install --upgrade pip
pip install --no-cache-dir flask
PIP_NO_CACHE_DIR=1 pip install flask
--mount=type=cache,target=/root/.cache/pip pip install flask
pip freeze > requirements.txt
pip install requests