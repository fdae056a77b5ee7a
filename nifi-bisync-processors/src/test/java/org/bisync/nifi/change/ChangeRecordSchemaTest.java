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
        return ChangeRecordBuilder.update("customer").keyOnly("id", 7L)
                .before(Map.of("id", 7L, "amount", new BigDecimal("1.00"))).after(Map.of("id", 7L, "amount", new BigDecimal("2.50")))
                .changed("amount").version(200, "A").prev(new Version(100, "B")).fieldVersion("amount", new Version(200, "A"))
                .supersedes(new Version(150, "B")).sequence(42).capturedAt(123_456).build();
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
