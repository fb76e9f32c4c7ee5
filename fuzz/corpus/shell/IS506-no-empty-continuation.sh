echo a && \
echo c && \