FROM fedora:39
# expect: IS104
RUN dnf install -y gcc
# expect: IS104
RUN yum -y install make
RUN dnf install -y gcc && dnf clean all
RUN microdnf install -y tar && microdnf clean all
RUN yum install -y make && rm -rf /var/cache/yum
