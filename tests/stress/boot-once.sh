#!/bin/bash
# One short boot's work (tests/stress/boots.sh): load and unload the module
# with a few namespaces made and deleted meanwhile.
insmod "$1" hostonly=vmnet1 || exit 1
for i in 1 2 3 4; do ip netns add b$i; done
for i in 1 2 3 4; do ip netns del b$i; done
rmmod hoguard || exit 1
echo BOOT-OK
