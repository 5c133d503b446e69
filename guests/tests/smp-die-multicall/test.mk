GUEST_ORACLE_VCPUS_smp-die-multicall := 2
