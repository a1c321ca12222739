#!/bin/sh
# t_install.sh - `make install` and `make uninstall` into a DESTDIR, and the
# shell completions (ui/completion/) they install:
#   - install puts the program, every man page and both completions where
#     PREFIX says; the installed program runs and its pages render;
#     uninstall removes every file install made, and nothing else;
#   - bash: at each position the completion offers the commands, every
#     option a command's --help lists, an option's choices ("--format
#     table|csv|json|zeek"), files for DB/FILE values; the same for zsh
#     (its compadd recorded by a stand-in), skipped without zsh.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}" "${TOP:?}" "${BUILD:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# ---- make install / uninstall ---------------------------------------------
dest=$tmp/root
if make -s -C "$TOP" BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr install >"$tmp/out" 2>&1; then
	want="usr/bin/tcpscope usr/share/bash-completion/completions/tcpscope
	      usr/share/zsh/site-functions/_tcpscope"
	for m in "$TOP"/man/*.[157]; do
		s=${m##*.}
		want="$want usr/share/man/man$s/$(basename "$m")"
	done
	missing=""
	for f in $want; do [ -f "$dest/$f" ] || missing="$missing $f"; done
	nfiles=$(find "$dest" -type f | wc -l)
	if [ -z "$missing" ] && [ "$nfiles" = "$(echo $want | wc -w)" ] &&
	   "$dest/usr/bin/tcpscope" --version | grep -q '^tcpscope ' &&
	   MANPATH="$dest/usr/share/man" man -P cat tcpscope-read 2>/dev/null | grep -q 'tcpscope read'; then
		pass install
	else
		fail install "missing:${missing:-none}; $nfiles files; $(head -c 200 "$tmp/out")"
	fi
	touch "$dest/usr/bin/other-program"
	make -s -C "$TOP" BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr uninstall >"$tmp/out" 2>&1
	left=$(find "$dest" -type f | sed "s|^$dest/||")
	if [ "$left" = usr/bin/other-program ]; then
		pass uninstall
	else
		fail uninstall "left: $(echo $left | head -c 300)"
	fi
else
	fail install "make install failed: $(head -c 300 "$tmp/out")"
fi

# ---- Completions -----------------------------------------------------------
bashc=$TOP/ui/completion/tcpscope.bash
zshc=$TOP/ui/completion/_tcpscope
commands=$("$TCPSCOPE" --help | awk '/^  [a-z]+ / { print $1 }')
# The long options a command's --help lists.
longopts() { "$TCPSCOPE" "$1" --help | grep -o -- '--[a-z][a-z-]*' | sort -u; }

# bash: COMPREPLY for the words given (the last is the word being typed).
bash_complete() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		 _tcpscope; printf "%s\n" "${COMPREPLY[@]}"' sh "$bashc" "$@"
}
# zsh: what the completion hands to compadd (files and users as @files,
# @users), the words the same way.
zsh_complete() {
	zsh -c '
		typeset -ga got
		compadd() {
			local arr=0 a
			for a in "$@"; do
				if [[ $a == -a ]]; then arr=1; continue; fi
				[[ $a == -- ]] && continue
				if (( arr )); then got+=(${(P)a}); arr=0; else got+=($a); fi
			done
		}
		_files() { got+=(@files); }
		_users() { got+=(@users); }
		f=$1; shift
		words=("$@"); CURRENT=$#; PREFIX=${words[-1]}
		source $f
		print -l -- ${(M)got:#${PREFIX}*}' zsh "$zshc" "$@"
}

check_shell() { # name, function
	sh_name=$1 fn=$2
	got=$($fn "$TCPSCOPE" "" | sort | tr '\n' ' ')
	want=$(printf '%s\n' $commands --help --version | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then pass "$sh_name-commands"
	else fail "$sh_name-commands" "got '$got', want '$want'"; fi
	bad=""
	for c in $commands; do
		[ "$c" = help ] && continue
		got=$($fn "$TCPSCOPE" "$c" "--" | sort -u)
		for o in $(longopts "$c"); do
			printf '%s\n' "$got" | grep -qx -- "$o" || bad="$bad $c$o"
		done
	done
	if [ -z "$bad" ]; then pass "$sh_name-options"
	else fail "$sh_name-options" "not offered:$bad"; fi
	got=$($fn "$TCPSCOPE" flows --format "" | tr '\n' ' ')
	got2=$($fn "$TCPSCOPE" timeline -f "j" | tr '\n' ' ')
	if [ "$got" = "table csv json zeek " ] && [ "$got2" = "json " ]; then
		pass "$sh_name-choices"
	else
		fail "$sh_name-choices" "flows --format: '$got'; timeline -f j: '$got2'"
	fi
}

if command -v bash >/dev/null 2>&1; then
	check_shell bash bash_complete
	mkdir -p "$tmp/d" && : >"$tmp/d/cap.pcap"
	got=$(bash_complete "$TCPSCOPE" read -d "$tmp/d/c")
	if [ "$got" = "$tmp/d/cap.pcap" ]; then pass bash-files
	else fail bash-files "read -d $tmp/d/c: '$got'"; fi
else
	skip bash-completion "no bash"
fi
if command -v zsh >/dev/null 2>&1; then
	check_shell zsh zsh_complete
	got=$(zsh_complete "$TCPSCOPE" read -d "" | tr '\n' ' ')
	got2=$(zsh_complete "$TCPSCOPE" live -Z "" | tr '\n' ' ')
	if [ "$got" = "@files " ] && [ "$got2" = "@users " ]; then pass zsh-files
	else fail zsh-files "read -d: '$got'; live -Z: '$got2'"; fi
	if zsh -n "$zshc"; then pass zsh-syntax; else fail zsh-syntax "zsh -n"; fi
else
	skip zsh-completion "no zsh (make deps installs it)"
fi
