import { accountOptionsOf } from '../../../../lambda/rotation/database/engines/mysql-account-options';

/**
 * SHOW CREATE USER as each server prints it. The MariaDB lines were printed by MariaDB 10.11; the MySQL lines follow
 * MySQL 5.7's and 8.0's documented output (no MySQL server is available to these tests), with a caching_sha2 hash
 * that holds a quote and a backslash, as its raw salt may.
 */
const MYSQL_8 =
  "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$\u0011x\\'y\\\\z0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' " +
  'DEFAULT ROLE `reader`@`%`,`writer`@`%` REQUIRE X509 PASSWORD EXPIRE DEFAULT ACCOUNT UNLOCK PASSWORD HISTORY DEFAULT ' +
  'PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT';

describe('accountOptionsOf: what a clone must carry', () => {
  test('MySQL 8: default roles apart; REQUIRE and the password policies kept; the hash and ACCOUNT UNLOCK dropped', () => {
    expect(accountOptionsOf(MYSQL_8)).toEqual({
      defaultRoles: '`reader`@`%`,`writer`@`%`',
      clauses: 'REQUIRE X509 PASSWORD EXPIRE DEFAULT PASSWORD HISTORY DEFAULT PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT',
    });
  });

  test('MySQL 5.7: quoted account, TLS subject and issuer, resource limits', () => {
    const line = "CREATE USER 'app'@'10.0.%' IDENTIFIED WITH 'mysql_native_password' AS '*0C1C6C1A0E909C674D37A42508DF354EC39FFA84' " +
      "REQUIRE ISSUER '/CN=Amazon RDS' AND SUBJECT '/CN=app''s cert' WITH MAX_QUERIES_PER_HOUR 10 MAX_USER_CONNECTIONS 3 PASSWORD EXPIRE DEFAULT ACCOUNT UNLOCK";
    expect(accountOptionsOf(line)).toEqual({
      clauses: "REQUIRE ISSUER '/CN=Amazon RDS' AND SUBJECT '/CN=app''s cert' WITH MAX_QUERIES_PER_HOUR 10 MAX_USER_CONNECTIONS 3 PASSWORD EXPIRE DEFAULT",
    });
  });

  test('MariaDB: IDENTIFIED BY PASSWORD is not a password policy; PASSWORD EXPIRE INTERVAL is', () => {
    const line = "CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*0C1C6C1A0E909C674D37A42508DF354EC39FFA84' REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 7 PASSWORD EXPIRE INTERVAL 90 DAY";
    expect(accountOptionsOf(line)).toEqual({ clauses: 'REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 7 PASSWORD EXPIRE INTERVAL 90 DAY' });
  });

  test('MariaDB: a locked account with an expired password gives its policies, not its states', () => {
    const line = "CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*667F' REQUIRE ISSUER '/CN=x' SUBJECT 'a''b\\\\c' CIPHER 'EDH' " +
      'WITH MAX_USER_CONNECTIONS 3 MAX_STATEMENT_TIME 2.500000 ACCOUNT LOCK PASSWORD EXPIRE';
    expect(accountOptionsOf(line)).toEqual({ clauses: "REQUIRE ISSUER '/CN=x' SUBJECT 'a''b\\\\c' CIPHER 'EDH' WITH MAX_USER_CONNECTIONS 3 MAX_STATEMENT_TIME 2.500000" });
  });

  test('IDENTIFIED VIA a plugin, and no clause at all', () => {
    expect(accountOptionsOf("CREATE USER `app`@`%` IDENTIFIED VIA ed25519 USING 'xyz' OR unix_socket REQUIRE SSL")).toEqual({ clauses: 'REQUIRE SSL' });
    expect(accountOptionsOf('CREATE USER `app`@`%`')).toEqual({ clauses: '' });
  });

  test('MySQL 8 login-failure tracking and attributes are copied as printed', () => {
    const line = "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS 0x24412430 REQUIRE NONE PASSWORD EXPIRE NEVER ACCOUNT UNLOCK " +
      "FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME UNBOUNDED ATTRIBUTE '{\"team\": \"orders?\"}'";
    expect(accountOptionsOf(line).clauses).toBe("REQUIRE NONE PASSWORD EXPIRE NEVER FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME UNBOUNDED ATTRIBUTE '{\"team\": \"orders?\"}'");
  });

  test('a clause it does not know is an error that names the keyword and quotes nothing', () => {
    expect(() => accountOptionsOf("CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*SECRETHASH' RESOURCE GROUP rg1")).toThrow(/^SHOW CREATE USER printed a clause this strategy does not know \(RESOURCE \.\.\.\)$/);
    expect(() => accountOptionsOf("CREATE USER `app`@`%` 'x'")).toThrow(/\(a quoted text \.\.\.\)$/);
    expect(() => accountOptionsOf('GRANT USAGE ON *.* TO `app`@`%`')).toThrow(/something other than a CREATE USER statement/);
  });

  test('an unterminated quote is an error without the text', () => {
    const error = (() => {
      try {
        accountOptionsOf("CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*SECRETHASH");
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected an error');
    })();
    expect(error.message).toBe('SHOW CREATE USER printed a quoted text without its closing quote');
  });
});
