FROM s
RUN pip -- install