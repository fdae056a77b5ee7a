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
        ChangeRecord sent = ChangeRecordBuilder.delete("customer").keyOnly("id", 9L)
                .before(Map.of("id", 9L, "amount", new BigDecimal("3.00"))).changed("amount").version(300, "B")
                .prev(new Version(250, "A")).fieldVersion("amount", new Version(280, "A")).supersedes(new Version(260, "A"))
                .supersedes(new Version(270, "C")).from("C").sequence(77).capturedAt(654_321).decision(Decision.MERGE).build();
        sent.sourceSystem = "B";
        sent.transactionId = "tx-77";
        sent.tombstoneVersion = new Version(310, "B");
        sent.expectedVersion = new Version(240, "A");
        sent.targetRow = new java.util.LinkedHashMap<>(Map.of("id", 9L, "amount", new BigDecimal("4.00")));
        sent.targetVersion = new Version(245, "A");
        sent.resolution = Resolution.KEEP_TARGET;

        ChangeRecord back = ChangeRecordParser.parse(schema.toRecord(sent));
        assertEquals("customer", back.table);
        assertEquals(Operation.DELETE, back.operation);
        assertEquals(Map.of("id", 9L), back.key);
        assertEquals(Map.of("id", 9L, "amount", new BigDecimal("3.00")), back.before);
        assertNull(back.after);
        assertEquals(List.of("amount"), back.changedFields);
        assertEquals(new Version(300, "B"), back.version);
        assertEquals(new Version(250, "A"), back.prevVersion);
        assertEquals(Map.of("amount", new Version(280, "A")), back.fieldVersions);
        assertEquals(List.of(new Version(260, "A"), new Version(270, "C")), back.supersedes);
        assertEquals(new Version(310, "B"), back.tombstoneVersion);
        assertEquals("C", back.origin);
        assertEquals("B", back.sourceSystem);
        assertEquals("tx-77", back.transactionId);
        assertEquals(77, back.sequence);
        assertEquals(654_321, back.capturedAt);
        assertEquals(Decision.MERGE, back.decision);
        assertEquals(new Version(240, "A"), back.expectedVersion);
        assertEquals(Map.of("id", 9L, "amount", new BigDecimal("4.00")), back.targetRow);
        assertEquals(new Version(245, "A"), back.targetVersion);
        assertEquals(Resolution.KEEP_TARGET, back.resolution);
    }

    @Test
    void aCapturedUpdateRoundTripsWithNoDecisionYet() {
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
    void recordLeavesUnsetFieldsOutAndKeepsTheNullColumnsOfItsRows() {
        // a writer that suppresses missing fields writes the NULL of a column, and none of the fields the change lacks
        java.util.Map<String, Object> after = new java.util.LinkedHashMap<>();
        after.put("id", 7L);
        after.put("amount", null);
        ChangeRecord insert = ChangeRecordBuilder.insert("customer").keyOnly("id", 7L).after(after).changed("id", "amount")
                .version(200, "A").sequence(42).capturedAt(123_456).build();

        Record record = schema.toRecord(insert);
        assertEquals(java.util.Set.of("table", "operation", "key", "after", "changed_fields", "version", "version_origin", "origin",
                "source_system", "sequence", "captured_at"), record.getRawFieldNames());
        Record row = (Record) record.getValue("after");
        assertEquals(java.util.Set.of("id", "amount"), row.getRawFieldNames());
        assertNull(row.getValue("amount"));
        ChangeRecord back = ChangeRecordParser.parse(record);
        assertTrue(back.after.containsKey("amount"), "the NULL of a column is part of the change");
        assertNull(back.decision);
        assertNull(back.before);
    }

    @Test
    void equalIncomingSchemasGiveOneChangeSchemaInstance() {
        // as a reader builds them, one per FlowFile: a writer finds the same instance at once for every record
        ChangeRecordSchema first = ChangeRecordSchema.fromIncoming(new ChangeRecordSchema(
                new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false))),
                new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false),
                        new RecordField("amount", RecordFieldType.DECIMAL.getDecimalDataType(10, 2), true)))).schema());
        assertTrue(first == ChangeRecordSchema.fromIncoming(schema.schema()), "the same instance for an equal schema");
        ChangeRecordSchema other = ChangeRecordSchema.fromIncoming(new ChangeRecordSchema(
                new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false))),
                new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType(), false),
                        new RecordField("note", RecordFieldType.STRING.getDataType(), true)))).schema());
        assertTrue(first != other, "another row: another schema");
        assertEquals(List.of("id", "note"), other.rowSchema().getFieldNames());
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
