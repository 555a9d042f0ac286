import { describeDatabaseCrashRecovery } from './support/database-crash-suite';

// MySQL single and alternating users, against the shared MariaDB (every user made here is dropped afterwards).
// A crash between creating the clone and copying its grants once left a clone without privileges; the strategy
// now sets the pending password only after the grants, and this suite checks it at every boundary.
describeDatabaseCrashRecovery('mysql');
