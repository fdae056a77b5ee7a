/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class RecurringSchemasTest {

    private static ChangeRecordSchema changeSchema(String column) {
        return new ChangeRecordSchema(new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false))),
                new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false),
                        new RecordField(column, RecordFieldType.STRING.getDataType(), true))));
    }

    @Test
    void schemasReadOrBuiltAlikeAreOneInstance() {
        // a capture builds the change schema, the next reader builds it again for every FlowFile from the attribute
        ChangeRecordSchema built = changeSchema("name");
        String carried = RecordSchemaJson.toJson(built.schema());
        RecordSchema read = RecordSchemaJson.fromJson(carried);
        RecordSchema readAgain = RecordSchemaJson.fromJson(carried);
        assertNotSame(read, readAgain);
        assertSame(built.schema(), RecurringSchemas.of(read));
        assertSame(built.schema(), RecurringSchemas.of(readAgain));
        assertSame(built.schema(), changeSchema("name").schema(), "built again by another processor");
        assertSame(built.schema(), ChangeRecordSchema.fromIncoming(readAgain).schema(), "rebuilt from what was read");
        assertNotSame(built.schema(), changeSchema("email").schema(), "another row: another schema");
    }
}
