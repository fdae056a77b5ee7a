/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.apache.nifi.serialization.record.RecordSchema;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance of equal record schemas, whichever processor built or read them. NiFi's record writers look their
 * schema up in a cache for every record they write (for the schema attribute): at once when it is the instance the
 * cache holds, field by field when it is an equal other one. A reader builds a new schema for every FlowFile, and the
 * processors that share a writer build equal ones of their own; written with the instance kept here, every record is
 * found at once.
 */
public final class RecurringSchemas {

    private static final Map<RecordSchema, RecordSchema> KEPT = new ConcurrentHashMap<>();
    /** Beyond this many, the schemas of columns that changed since are let go: only the current ones come again. */
    private static final int LIMIT = 256;

    private RecurringSchemas() {
    }

    /** The instance kept of the schemas equal to {@code schema}: {@code schema} itself the first time. */
    public static RecordSchema of(RecordSchema schema) {
        if (schema == null) {
            return null;
        }
        if (KEPT.size() > LIMIT) {
            KEPT.clear();
        }
        return KEPT.computeIfAbsent(schema, s -> s);
    }
}
