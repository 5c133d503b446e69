GUEST_ORACLE_hostile-load := no
