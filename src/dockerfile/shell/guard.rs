//! Scripts brush-parser mishandles (allocating without end, backtracking for minutes,
//! panicking), found by fuzzing: they go to the fallback reader instead. Each guard is a shape
//! no real script has (the bounds are several times what ../shared/corpus's RUN lines reach).

/// Scripts brush-parser mishandles, which go to the fallback reader instead (all found by
/// fuzzing): a redirection's file descriptor of ten digits or more (`99999999999>f`), which it
/// panics reading into an i32; a here-document with an empty delimiter (`<<''`) or one with a
/// `$` in it (`<<$[`: 4 GB from six bytes), on which it allocates without end; brackets nested
/// deeper than 8 (unclosed ones too), on which its backtracking doubles with each level; an unclosed `(`
/// before a here-document (`$(x->|<< d`: 2 GB). No real script has these.
pub(super) fn brush_mishandles(text: &str) -> bool {
    huge_fd_number(text)
        || odd_heredoc_delimiter(text)
        || bracket_depth(text) > MAX_BRACKET_DEPTH
        || keyword_depth(text) > MAX_KEYWORD_DEPTH
        || text.bytes().filter(|&c| c == b'`').count() > MAX_BACKQUOTES
        || ((unclosed_parens(text) > 0 || stray_close_paren(text)) && text.contains("<<"))
        || unterminated_heredoc_in_substitution(text)
        || tangled_array_index(text)
}

/// An array index (`a[...]`, `${a[...]}`) that is not plain text up to its `]`: brush-parser
/// reads a word that starts `NAME[` as an array assignment, parsing the index as arithmetic,
/// and on one that never closes (or holds `(`, `[`, quotes or backquotes) it retries each
/// nested reading: 400 bytes of `e[To[...$(...${c[/}...` took 171 ms, and the time doubles
/// with each such opener (found by fuzzing; 3.5 s under the fuzzer's instrumentation). Real
/// indexes are `0`, `$i`, `${i}+1`, `@` and `*`. Single-quoted text is literal to brush-parser
/// (`echo '"\e[5~": x'` in the corpus); a `NAME[` inside double quotes counts, which only sends
/// such a script to the fallback reader.
fn tangled_array_index(text: &str) -> bool {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if !single => i += 1,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'[' if !single => {
                // `NAME[`: the name starts with a letter or `_` after a non-name byte
                let mut s = i;
                while s > 0 && ident(b[s - 1]) {
                    s -= 1;
                }
                if s < i && !b[s].is_ascii_digit() {
                    let Some(end) = text[i + 1..].find(']') else { return true };
                    let index = &b[i + 1..i + 1 + end];
                    if index.iter().any(|c| matches!(c, b'(' | b'[' | b'"' | b'\'' | b'`' | b'\n')) {
                        return true;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// A here-document inside a command substitution (`$(cat <<x ...)`) whose delimiter never ends a
/// line after it: brush-parser allocated 2 GB on 120 bytes of `$(<<  empty ...)` (found by
/// fuzzing). `$((1<<2))` is arithmetic, not a here-document.
fn unterminated_heredoc_in_substitution(text: &str) -> bool {
    let b = text.as_bytes();
    // open brackets: true for a command substitution `$(`, false for `(` and `$((`
    let mut open: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') => {
                open.push(true);
                i += 2;
                continue;
            }
            b'(' => open.push(false),
            b')' => {
                open.pop();
            }
            // (in the innermost bracket only: `$(echo $((1 << 2)))` shifts)
            b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') && open.last() == Some(&true) => {
                let (start, j) = delimiter_at(b, i + 2);
                let word: String = text[start..j].chars().filter(|c| !matches!(c, '\'' | '"' | '\\')).collect();
                let ends = text[j..].lines().skip(1).any(|l| l.trim_start_matches('\t') == word);
                if !ends {
                    return true;
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// (more unclosed `(` than this nest this deep too; real scripts nest 4 deep at most: the RUN
/// lines of ../shared/corpus)
const MAX_BRACKET_DEPTH: usize = 8;

/// `case`, `if` and loops nested deeper than this, and more backquotes than this, go to the
/// fallback reader: brush-parser backtracked for 30 s over 3 KB of `case` nested 11 deep with
/// 38 backquotes (found by fuzzing). The corpus's RUN lines nest them 2 deep and have 2
/// backquotes at most.
const MAX_KEYWORD_DEPTH: usize = 6;
const MAX_BACKQUOTES: usize = 8;

/// How deep `case`/`esac`, `if`/`fi` and `do`/`done` nest at most (words anywhere, quoted ones
/// too: an overcount only sends a script to the fallback reader).
fn keyword_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for w in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        match w {
            "case" | "if" | "do" => {
                depth += 1;
                max = max.max(depth);
            }
            "esac" | "fi" | "done" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// How deep `(`, `[` and `{` nest at most, together (`$( (( (`, `$[ $( $[` ...): brush-parser
/// backtracks over each level's readings (subshell, arithmetic, old-style `$[ ]` arithmetic,
/// group), found by fuzzing (a 100-byte script ran for minutes).
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in text.bytes() {
        match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The `(` still open at the end, read left to right (`)))` before a `$(` close nothing of it:
/// counting all of each missed one, found by fuzzing).
fn unclosed_parens(text: &str) -> usize {
    text.bytes().fold(0usize, |depth, c| match c {
        b'(' => depth + 1,
        b')' => depth.saturating_sub(1),
        _ => depth,
    })
}

/// A `)` that closes nothing (read left to right): with a here-document, brush-parser panicked
/// on `<<e)$(` (found by fuzzing; a `case` pattern's `)` counts too, which only sends such a
/// script to the fallback reader).
fn stray_close_paren(text: &str) -> bool {
    let mut depth = 0usize;
    for c in text.bytes() {
        match c {
            b'(' => depth += 1,
            b')' if depth == 0 => return true,
            b')' => depth -= 1,
            _ => {}
        }
    }
    false
}

/// The delimiter word of a here-document whose `<<` ends before byte `j`: its (start, end),
/// after an optional `-` and blanks.
fn delimiter_at(b: &[u8], mut j: usize) -> (usize, usize) {
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    while b.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
        j += 1;
    }
    let start = j;
    while b.get(j).is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\n') && !b"|&;<>()".contains(c)) {
        j += 1;
    }
    (start, j)
}

fn odd_heredoc_delimiter(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(k) = text[i..].find("<<") {
        let mut j = i + k + 2;
        if b.get(j) == Some(&b'<') {
            // `<<<`: a here-string, not a here-document
            i = j + 1;
            continue;
        }
        let (start, end) = delimiter_at(b, j);
        j = end;
        // no delimiter, one that is empty once unquoted, or one with anything but letters,
        // digits, `_`, `.` and `-` once unquoted: a control character (`<<\r`), an expansion
        // or command substitution (`<<$[`, `<<${x`, `` <<`x ``), `"="d#` (2 GB); the corpus's
        // are EOF, EOT and their quoted forms
        let bare: Vec<u8> = b[start..j].iter().copied().filter(|c| !matches!(c, b'\'' | b'"' | b'\\')).collect();
        if bare.is_empty() || !bare.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')) {
            return true;
        }
        i = (i + k + 2).min(text.len());
    }
    false
}

fn huge_fd_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut run = 0;
    for &c in b {
        if c.is_ascii_digit() {
            run += 1;
        } else {
            if run >= 10 && (c == b'<' || c == b'>') {
                return true;
            }
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_brush_mishandles_go_to_the_fallback() {
        let parens = format!("{}r\n", "(".repeat(48));
        let deep_case = (0..7).fold("true".to_string(), |s, _| format!("case $X in a) {s} ;; esac"));
        let backquotes = "echo `a` `b` `c` `d` `e`";
        for text in [
            "n''<<-''''|'m 'm ",
            "cat <<'' 'a 'b ",
            "echo 99999999999>f",
            "cat <<\"\"|x",
            &parens,
            "<<\r\n",
            "cat <<",
            "<<$[  ",
            "cat <<${x}",
            "cat <<`x`",
            "eo::$$$(XXXXX->|<<  da #c E",
            "Xr$($\0(B(((h($(((Oxr::$$((\0*(((h($(( \0)))e\0\")))))))))\0)))))) E",
            "echo $[ $( $[ $( ${ $[ $( $[ $( x ]) ]) ]) ]",
            "x$( i\0stall \"le))))\0\0))icrodnfev && / nI&pO redireccache$$(/yum<<  \"=\"d#c ",
            "&\te[$$(<<  \"=\"d# ))\t\t>)\t",
            "&\te[$$(<<  empty pipeline\0\0\0\0 empty pipeline\0\0\t\t>)\t",
            "x=$(cat <<EOF\nabc\n)",
            "<<e)$(\n)\ne",
            &deep_case,
            backquotes,
            "e[To[x$($ i (;_st(|m`\n[Ve${c[/}L\nuc\"]& np",
            "echo ${a[$(x)]}",
            "a[0=1",
        ] {
            assert!(brush_mishandles(text), "{text}");
            assert_ne!(super::super::parse_script(text).parsed_by, super::super::ParsedBy::Brush, "{text}");
        }
        let balanced = format!("{}r{} {}r{}", "(".repeat(8), ")".repeat(8), "(".repeat(8), ")".repeat(8));
        for text in [
            "cat <<EOF\nx\nEOF\n",
            "cat <<< \"$x\"",
            "echo $((1<<2))",
            "echo 1>&2",
            "cat <<'EOF' | sh\nx\nEOF\n",
            "echo a<<b",
            "case $X in a) case $Y in b) if x; then for i in 1; do y; done; fi ;; esac ;; esac",
            "echo `uname -r` `id -u`",
            "cat <<'EOT' >> /etc/x\nx\nEOT\n",
            "cat <<\\EOF_1.x-y\nx\nEOF_1.x-y\n",
            "x=$(cat <<EOF\nabc\nEOF\n)",
            "echo $((1<<2)) $(echo ok)",
            "if [ \"$(echo $((1 << 2)))\" -gt 0 ]; then make -j4; fi",
            "awk '{ if ($1 > 0) { a[$2] = ${X:-1} } }'",
            &balanced,
            "a[0]=1 b[$i]=2 c[${i}+1]=3; echo ${c[@]} ${#c[*]} \"${c[0]}\"",
            "[ -f x ] && [[ -d y ]] && sed 's/a[0-9]*//' f",
            "echo '\"\\e[5~\": history-search-backward' >> /etc/inputrc",
        ] {
            assert!(!brush_mishandles(text), "{text}");
        }
    }
}
