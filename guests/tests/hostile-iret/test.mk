GUEST_ORACLE_hostile-iret := no
