#!/bin/bash
# The agent of one network namespace, for tests/e2e/lib.sh (ns_start).
#
#   ip netns exec NS bash agent.sh REQUEST_FIFO REPLY_FIFO
#
# Starting processes is slow in the test VM (qemu TCG, root filesystem over
# 9p), so each namespace gets this one bash: it runs the namespace's UDP
# receiver, sets sysctls and sends packets on request, sparing an
# `ip netns exec` per packet (UDP needs no process at all).
#
# At start it runs `socat -u UDP6-RECV:5000,ipv6only=0 /dev/null` (a
# dual-stack receiver that reads and discards) and answers its pid. Then
# it reads one request per line, performs it and answers its exit status:
#   sysctl KEY=VALUE...     write /proc/sys/KEY (dots as slashes)
#   udp DST COUNT           COUNT datagrams to DST port 5000, each from a
#                           socket of its own (bash's /dev/udp)
#   udpfrom SRC DST COUNT   the same, bound to SRC (one socat each)
#   udpdev DEV DST COUNT    the same, bound to device DEV (a VRF)
#   frame FILE COUNT        write the Ethernet frame FILE COUNT times on
#                           eth0 (one socat each)
#   ping COUNT ARGS...      run `ping ARGS...`; 0 iff COUNT replies came back
#   run CMD...              run CMD
set -u

# udp_to DST OPTION COUNT: COUNT datagrams to DST port 5000, each from a
# socket of its own with socat's OPTION; st=1 if one could not be sent (a
# datagram dropped on the local output path fails with EPERM).
udp_to() {
	local to i
	if [[ $1 == *:* ]]; then
		to="UDP6-SENDTO:[$1]:5000,$2"
	else
		to="UDP4-SENDTO:$1:5000,$2"
	fi
	for ((i = 0; i < $3; i++)); do
		echo "$i" | socat -u - "$to" 2>/dev/null || st=1
	done
}

exec {rq}<>"$1" {rp}<>"$2"
socat -u UDP6-RECV:5000,ipv6only=0 /dev/null &
echo "$!" >&"$rp"

while read -r -u "$rq" -a req; do
	[ ${#req[@]} -gt 0 ] || continue
	set -- "${req[@]}"
	st=0
	case $1 in
	sysctl)
		shift
		for kv; do
			k=${kv%%=*}
			echo "${kv#*=}" >"/proc/sys/${k//.//}" || st=1
		done
		;;
	udp)
		for ((i = 0; i < $3; i++)); do
			printf x >"/dev/udp/$2/5000" || st=1
		done 2>/dev/null
		;;
	udpfrom)
		if [[ $3 == *:* ]]; then
			udp_to "$3" "bind=[$2]" "$4"
		else
			udp_to "$3" "bind=$2" "$4"
		fi
		;;
	udpdev)
		udp_to "$3" "so-bindtodevice=$2" "$4"
		;;
	frame)
		for ((i = 0; i < $3; i++)); do
			socat -u "OPEN:$2" INTERFACE:eth0 || st=1
		done
		;;
	ping)
		n=$2
		shift 2
		out=$(ping "$@" 2>&1) || st=1
		[[ $out == *" $n received"* ]] || st=1
		;;
	run)
		shift
		"$@" >/dev/null 2>&1 || st=$?
		;;
	*)
		st=127
		;;
	esac
	echo "$st" >&"$rp"
done
