GUEST_ORACLE_VCPUS_smp-basic := 2
