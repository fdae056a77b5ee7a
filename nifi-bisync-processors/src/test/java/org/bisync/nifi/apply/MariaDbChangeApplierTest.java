package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import java.sql.SQLException;
import java.util.List;

class MariaDbChangeApplierTest extends ChangeApplierContract {

    @Override
    ApplyDatabase createDatabase() throws SQLException {
        return new ApplyDatabase(new MariaDbDialect(), EmbeddedDatabases.mariadb("apply_contract"), "SELECT CONNECTION_ID()", "KILL %s");
    }

    @Override
    String generatedKeyTable(String name) {
        return "CREATE TABLE " + name + " (id int AUTO_INCREMENT PRIMARY KEY, name varchar(20))";
    }

    @Override
    List<String> upperCaseTrigger(String table) {
        return List.of("CREATE TRIGGER " + table + "_upper_i BEFORE INSERT ON " + table + " FOR EACH ROW SET NEW.name = UPPER(NEW.name)",
                "CREATE TRIGGER " + table + "_upper_u BEFORE UPDATE ON " + table + " FOR EACH ROW SET NEW.name = UPPER(NEW.name)");
    }
}
