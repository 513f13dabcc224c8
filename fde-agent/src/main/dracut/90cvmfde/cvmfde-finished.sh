#!/bin/sh
# cvm-fde initqueue/finished hook: the initqueue may end once the agent has opened the root
# (exit status 0). A failed agent keeps this false; the settled/timeout hook then starts the
# emergency shell. After unlocking by hand there: echo 0 > /run/cvm-fde/status
[ -e /run/cvm-fde/status ] && read -r cvmfde_st < /run/cvm-fde/status && [ "$cvmfde_st" = 0 ]
