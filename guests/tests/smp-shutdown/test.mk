GUEST_ORACLE_VCPUS_smp-shutdown := 4
