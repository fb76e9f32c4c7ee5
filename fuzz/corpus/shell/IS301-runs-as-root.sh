echo build
adduser -D app
echo hi