pip install --no-cache-dir -r requirements.txt
pip install --no-cache-dir -r requirements.txt
npm ci