import { KnownDefect, describeDatabaseCrashRecovery } from './support/database-crash-suite';

/**
 * Found by this suite, not fixed yet: mysql-alternating-users creates the clone (CREATE USER, with the pending
 * password) and then copies the grants in separate statements, and a later setSecret that finds the user only
 * sets its password. A crash or lost connection in between leaves a clone without the grants for good: with
 * `dbname` in the secret testSecret then fails on every retry; without it the rotation "succeeds" and AWSCURRENT
 * becomes a user that logs in but cannot read anything. Fix: copy the grants on every setSecret (as AWS's
 * template does) and set the pending password last.
 */
const CLONE_WITHOUT_GRANTS: KnownDefect = {
  description: 'mysql-alternating-users: a crash between CREATE USER and the last GRANT leaves the clone without grants',
  affects: ({ strategy, phase, calls, index, timing }) => {
    if (strategy !== 'mysql-alternating-users' || phase !== 'first rotation') return false;
    const created = calls.indexOf('CREATE USER');
    const lastGrant = calls.map((call) => call.startsWith('GRANT ')).lastIndexOf(true);
    return (index === created && timing === 'after') || (index > created && index < lastGrant) || (index === lastGrant && timing === 'before');
  },
  signature: (run) => !run.converged && run.events.some((event) => event.type === 'RotationFailed' && event.final && event.step === 'testSecret'),
};

// MySQL single and alternating users, against the shared MariaDB (every user made here is dropped afterwards).
describeDatabaseCrashRecovery('mysql', [CLONE_WITHOUT_GRANTS]);
