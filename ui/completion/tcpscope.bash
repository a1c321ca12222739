# bash completion for tcpscope(1)                         -*- shell-script -*-
#
# Installed by `make install` as share/bash-completion/completions/tcpscope.
# The commands, options and choices come from tcpscope's own --help at the
# time of completion, so they are always those of the installed program:
# commands from `tcpscope --help`; options from `tcpscope COMMAND --help`;
# an option's choices from its "--opt a|b|c" in the usage lines; files for
# values named DB, FILE, PCAP or OUT...; interfaces for IFACE; users for USER.

# _tcpscope_options PROG CMD: one line per option of CMD, "NAMES VALUE",
# NAMES the option's spellings joined by ',', VALUE its value's name or "".
_tcpscope_options()
{
	"$1" "$2" --help 2>/dev/null | awk '
		/^ +-/ {
			sub(/^ +/, "")
			n = split($0, part, /  +/)
			head = part[1]; names = ""; value = ""
			k = split(head, tok, /[ ,=]+/)
			for (i = 1; i <= k; i++)
				if (tok[i] ~ /^-/) names = names (names ? "," : "") tok[i]
				else if (tok[i] != "") value = tok[i]
			print names " " value
		}'
}

# _tcpscope_candidates PROG CUR WORD... : the completions of CUR, the last
# word, after the words before it (the first is the program), one a line.
_tcpscope_candidates()
{
	local prog=$1 cur=$2
	shift 2
	if [ $# -le 1 ]; then
		"$prog" --help 2>/dev/null |
			awk '/^  [a-z]+ / { print $1 }' | grep -- "^$cur"
		printf '%s\n' --help --version | grep -- "^$cur"
		return 0
	fi
	local cmd=$2 prev
	eval "prev=\${$#}"
	[ "$cmd" = help ] && {
		"$prog" --help 2>/dev/null | awk '/^  [a-z]+ / { print $1 }' |
			grep -- "^$cur"
		return 0
	}
	local opts value="" line names v
	opts=$(_tcpscope_options "$prog" "$cmd")
	# The value of the option just before the cursor.
	case $prev in
	-*)
		while IFS=' ' read -r names v; do
			case ",$names," in *",$prev,"*) value=$v ;; esac
		done <<EOT
$opts
EOT
		;;
	esac
	if [ -n "$value" ]; then
		local long choices
		long=$(printf '%s\n' "$opts" |
			awk -v p="$prev" '{ n = split($1, a, ","); for (i = 1; i <= n; i++) if (a[i] == p) for (j = 1; j <= n; j++) if (a[j] ~ /^--/) print a[j] }' |
			head -n 1)
		choices=$("$prog" "$cmd" --help 2>/dev/null |
			grep -o -- "${long:-$prev} [a-z0-9-]*|[a-z0-9|-]*" |
			head -n 1 | sed 's/^[^ ]* //' | tr '|' '\n')
		if [ -n "$choices" ]; then
			printf '%s\n' "$choices" | grep -- "^$cur"
		else
			case $value in
			DB*|FILE*|PCAP*|OUT*|PATH*|*\|PATH) compgen -f -- "$cur" ;;
			IFACE*) ls /sys/class/net 2>/dev/null | grep -- "^$cur" ;;
			USER*) compgen -u -- "$cur" ;;
			esac
		fi
		return 0
	fi
	case $cur in
	-*)
		# The options of the option lines, and those named in the
		# text (extract lists its filters in a paragraph).
		{
			printf '%s\n' "$opts" | awk '{ print $1 }' | tr ',' '\n'
			"$prog" "$cmd" --help 2>/dev/null |
				grep -o -- '--[a-z][a-z-]*'
		} | awk '!seen[$0]++' | grep -- "^$cur"
		;;
	*)
		case $cmd in
		read) compgen -f -- "$cur" ;;
		esac
		;;
	esac
	return 0
}

_tcpscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local IFS=$'\n'
	COMPREPLY=($(_tcpscope_candidates "${COMP_WORDS[0]}" "$cur" \
		"${COMP_WORDS[@]:0:COMP_CWORD}"))
	return 0
}
complete -o filenames -F _tcpscope tcpscope
