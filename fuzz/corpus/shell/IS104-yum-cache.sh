dnf install -y gcc
yum -y install make
dnf install -y gcc && dnf clean all
microdnf install -y tar && microdnf clean all
yum install -y make && rm -rf /var/cache/yum