# SPDX-License-Identifier: Apache-2.0
# The completion code every generated file carries (bash 4.3 or later: namerefs);
# the per-tool data follows it. _ctlsuite_complete IDENT completes from
# _ctlsuite_spec_IDENT (per command, or "-" for a tool without commands:
# "--NAME:KIND" words, "-C:KIND" for a short option with a value kind, KIND n no value, f file, d directory, u user,
# t free text, c=a,b choices) and _ctlsuite_cmds_IDENT (command names).
_ctlsuite_value() {
	local kind=$1 cur=$2
	case $kind in
	f) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
	d) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
	u) COMPREPLY=($(compgen -u -- "$cur")) ;;
	c=*) local words=${kind#c=}; COMPREPLY=($(compgen -W "${words//,/ }" -- "$cur")) ;;
	*) COMPREPLY=() ;;
	esac
}

_ctlsuite_kind() {
	local w
	for w in $1; do
		if [ "${w%%:*}" = "$2" ]; then printf '%s\n' "${w#*:}"; return 0; fi
	done
	return 1
}

_ctlsuite_complete() {
	local ident=$1 cur prev opt kind spec cmd=- w names= whole=
	local -n specs=_ctlsuite_spec_$ident cmds=_ctlsuite_cmds_$ident
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	if [ -n "$cmds" ]; then
		if [ "$COMP_CWORD" -le 1 ]; then
			COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
			return 0
		fi
		cmd=${COMP_WORDS[1]}
	fi
	spec=${specs[$cmd]-}
	[ -n "$spec" ] || return 0
	# "--opt=value": bash splits at "=" (COMP_WORDBREAKS); a word may also hold it whole.
	if [ "$cur" = "=" ]; then
		opt=$prev; cur=
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*}; cur=${cur#*=}; whole=$opt=
	else
		opt=$prev
	fi
	if [[ $opt == -* ]] && kind=$(_ctlsuite_kind "$spec" "$opt") && [ "$kind" != n ]; then
		_ctlsuite_value "$kind" "$cur"
		# The word was not split at "=": each reply replaces all of it.
		[ -z "$whole" ] || COMPREPLY=("${COMPREPLY[@]/#/$whole}")
		return 0
	fi
	if [[ $cur == -* ]]; then
		for w in $spec; do [[ $w == --* ]] && names+=" ${w%%:*}"; done
		COMPREPLY=($(compgen -W "$names" -- "$cur"))
		return 0
	fi
	# An operand: a file (show, verify, show-ctl FILE ...).
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}
