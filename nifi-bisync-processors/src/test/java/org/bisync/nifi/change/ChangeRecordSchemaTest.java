/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeRecordSchemaTest {

    private final ChangeRecordSchema schema = new ChangeRecordSchema(
            new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false))),
            new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false),
                    new RecordField("amount", RecordFieldType.DECIMAL.getDecimalDataType(10, 2), true))));

    private ChangeRecord update() {
        ChangeRecord c = new ChangeRecord();
        c.table = "customer";
        c.operation = Operation.UPDATE;
        c.key.put("id", 7L);
        c.before = new LinkedHashMap<>(Map.of("id", 7L, "amount", new BigDecimal("1.00")));
        c.after = new LinkedHashMap<>(Map.of("id", 7L, "amount", new BigDecimal("2.50")));
        c.changedFields.add("amount");
        c.version = new Version(200, "A");
        c.prevVersion = new Version(100, "B");
        c.fieldVersions.put("amount", new Version(200, "A"));
        c.supersedes.add(new Version(150, "B"));
        c.origin = "A";
        c.sourceSystem = "A";
        c.sequence = 42;
        c.capturedAt = 123_456;
        return c;
    }

    @Test
    void recordRoundTripKeepsEveryContractField() {
        ChangeRecord back = ChangeRecordParser.parse(schema.toRecord(update()));
        assertEquals("customer", back.table);
        assertEquals(Operation.UPDATE, back.operation);
        assertEquals(7L, back.key.get("id"));
        assertEquals(new BigDecimal("2.50"), back.after.get("amount"));
        assertEquals(List.of("amount"), back.changedFields);
        assertEquals(new Version(200, "A"), back.version);
        assertEquals(new Version(100, "B"), back.prevVersion);
        assertEquals(new Version(200, "A"), back.fieldVersions.get("amount"));
        assertEquals(List.of(new Version(150, "B")), back.supersedes);
        assertEquals(42, back.sequence);
        assertNull(back.decision);
    }

    @Test
    void incomingSchemaGivesBackTheKeyAndRowTypes() {
        ChangeRecordSchema derived = ChangeRecordSchema.fromIncoming(schema.schema());
        assertEquals(schema.rowSchema(), derived.rowSchema());
        assertEquals(schema.keySchema(), derived.keySchema());
    }

    @Test
    void missingOperationNamesTheField() {
        Record record = schema.toRecord(update());
        record.setValue(ChangeFields.OPERATION, null);
        InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> ChangeRecordParser.parse(record));
        assertEquals(ChangeFields.OPERATION, e.field());
    }

    @Test
    void unknownDecisionIsRejectedWithTheAllowedValues() {
        Record record = schema.toRecord(update());
        record.setValue(ChangeFields.DECISION, "MAYBE");
        InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> ChangeRecordParser.parse(record));
        assertTrue(e.getMessage().contains("APPLY"), e.getMessage());
    }

    @Test
    void versionNumberWithoutOriginIsRejected() {
        Record record = schema.toRecord(update());
        record.setValue(ChangeFields.PREV_VERSION_ORIGIN, null);
        assertThrows(InvalidChangeException.class, () -> ChangeRecordParser.parse(record));
        assertTrue(new MapRecord(schema.schema(), Map.of()).getValue(ChangeFields.TABLE) == null);
    }
}
