/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.bisync.nifi.topology.SyncTopologyService;

/** Property descriptors shared by several bisync processors. */
public final class BisyncProperties {

    public static final PropertyDescriptor SYNC_TOPOLOGY = new PropertyDescriptor.Builder()
            .name("Sync Topology Service")
            .description("The service describing the systems and tables of this sync. Tables and their settings come from "
                    + "there and are never entered twice.")
            .identifiesControllerService(SyncTopologyService.class)
            .required(true)
            .build();

    public static final PropertyDescriptor RECORD_READER = new PropertyDescriptor.Builder()
            .name("Record Reader")
            .description("Reads incoming change records. Use a reader that takes the schema from the FlowFile (for example "
                    + "JsonTreeReader with 'Use 'avro.schema' Attribute'), never schema inference: inferred JSON turns "
                    + "decimals into doubles and timestamps into strings.")
            .identifiesControllerService(RecordReaderFactory.class)
            .required(true)
            .build();

    public static final PropertyDescriptor RECORD_WRITER = new PropertyDescriptor.Builder()
            .name("Record Writer")
            .description("Writes change records. Configure it to carry the schema for the next reader (for example "
                    + "JsonRecordSetWriter with 'Set 'avro.schema' Attribute').")
            .identifiesControllerService(RecordSetWriterFactory.class)
            .required(true)
            .build();

    public static final PropertyDescriptor TARGET_SYSTEM = new PropertyDescriptor.Builder()
            .name("Target System ID")
            .description("The system (as named in the sync topology) the changes go to.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor SOURCE_SYSTEM = new PropertyDescriptor.Builder()
            .name("System ID")
            .description("The system (as named in the sync topology) whose database this processor reads.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    private BisyncProperties() {
    }
}
