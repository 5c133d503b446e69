GUEST_ORACLE_VCPUS_vcpu-time-area := 2
