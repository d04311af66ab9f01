#!/bin/bash
# Proves the VM harness works: scripts/vmrun SERIES tests/vm-smoke.sh
set -eu
uname -r
modprobe veth && ip link add name a type veth peer name b && echo veth-ok
ip netns add t && ip netns exec t ip link
exit 0
