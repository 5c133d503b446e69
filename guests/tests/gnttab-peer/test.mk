GUEST_ORACLE_gnttab-peer := no
