f() { case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) export PATH=/opt/bin:$PATH && `
	    # between lines
	    ln -s app /usr/local/bin/x ;; *) ln -s app /usr/local/bin/x ;; esac ;; *) ln -s ${@:+app} /usr/local/bin/x ;; esac ;; *) ln -s ${@:+${@:+app}} /usr/local/bin/x ;; esac ;; *) ln -s ${@:+${@:+${@:+app}}} /usr/local/bin/x ;; esac ;; *) ln -s ${@:+${@:+${@:+${@:+app}}}} /usr/local/bin/x ;; esac ;; *) ln -s ${@:+${@:+${@:+${@:+${@:+app}}}}} /usr/local/bin/x ;; esac ;; *) ln -s ${@:+${@:+${@:+${@:+${@:+${@:+app}}}}}} /usr/local/bin/x ;; esac ;; *) ln -s `export PATH=/opt/bin:$PATH` /usr/local/bin/x ;; esac && `
	    # between lines
	    case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    apt-get update && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    apt-get update && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	    # between lines
	    make -j"$(nproc)" && `
	
	    apt-get update && `
	    # between lines
	    curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt ;; *) sudo -E env A=1 a\ b ;; esac ;; *) true ;; esac ;; *) npm run build ;; esac ;; *) apt-get update ;; esac | `
	
	    { f() { cat <<EOS | sh
	echo ${BASE} > /etc/${V1//app/''}
	EOS; `
	    apk del .build-deps > /dev/null 2>&1; }; f; `
	    f() { apk add --virtual .build-deps libpq-dev; apt-get install -y --no-install-recommends wget libpq-dev; }; f; } || `
	    # between lines
	    ./configure --prefix=/usr/local ;; *) rm -rf '#x' ;; esac; `
	    # between lines
	    case "$X" in a|b) case "$X" in a|b) case "$X" in a|b) ( ( apt-get update && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    apt-get update && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    export PATH=/opt/bin:$PATH && `
	    # between lines
	    ./configure --prefix=/usr/local ) ) && `
	    # between lines
	    ( ( apt-get update ) ) ;; *) cargo install --path . ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac ;; *) apt-get update ;; esac; }; f