cd /tmp && wget https://example.com/x
(cd /src && make)
for d in a b; do cd $d; done