GUEST_ORACLE_VCPUS_timer-race := 2
