/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.services;

import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyParserTest {

    private final TopologyParser parser = new TopologyParser();

    @Test
    void parsesSystemsTablesFieldsAndMappings() {
        SyncTopology topology = parser.parse("""
                {"systems": [{"id": "crm", "priority": 2}, {"id": "erp", "priority": 1}],
                 "tables": [{"name": "customer", "names": {"erp": "kunde"}, "strategy": "system_priority",
                             "exclude": ["updated_at"],
                             "fields": {"email": {"names": {"erp": "mail"}},
                                        "credit_limit": {"owner": "erp", "oneWay": true}}},
                            {"name": "price", "direction": "ONE_WAY", "source": "erp"}]}
                """);
        TableSettings customer = topology.table("customer").orElseThrow();
        assertEquals(Strategy.SYSTEM_PRIORITY, customer.strategy());
        assertEquals("kunde", customer.localName("erp"));
        assertEquals("customer", customer.localName("crm"));
        assertEquals("mail", customer.localFieldName("email", "erp"));
        assertEquals("email", customer.canonicalFieldName("mail", "erp"));
        assertFalse(customer.isSynced("updated_at"));
        assertTrue(customer.fieldFlowsFrom("credit_limit", "erp"));
        assertFalse(customer.fieldFlowsFrom("credit_limit", "crm"));
        TableSettings price = topology.table("price").orElseThrow();
        assertEquals(Direction.ONE_WAY, price.direction());
        assertTrue(price.flowsFrom("erp"));
        assertFalse(price.flowsFrom("crm"));
        assertEquals(2, topology.rank("crm"));
        assertEquals(2 * SyncSystem.PRIORITY_STEP_MICROS, topology.bias(customer, "crm", null));
    }

    @Test
    void unknownKeyIsRejectedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parser.parse("""
                {"systems": [{"id": "a"}], "tables": [{"name": "t", "stratgy": "MANUAL"}]}"""));
        assertTrue(e.getMessage().contains("stratgy"), e.getMessage());
    }

    @Test
    void unknownSystemInTableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parser.parse("""
                {"systems": [{"id": "a"}], "tables": [{"name": "t", "direction": "ONE_WAY", "source": "b"}]}"""));
        assertTrue(e.getMessage().contains("unknown system 'b'"), e.getMessage());
    }

    @Test
    void viewMustBeOneWay() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parser.parse("""
                {"systems": [{"id": "a"}], "tables": [{"name": "v", "view": {"changeColumn": "modified"}}]}"""));
        assertTrue(e.getMessage().contains("view can only be a one-way source"), e.getMessage());
    }

    @Test
    void badStrategyNamesTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parser.parse("""
                {"systems": [{"id": "a"}], "tables": [{"name": "t", "strategy": "NEWEST"}]}"""));
        assertTrue(e.getMessage().contains("LAST_WRITE_WINS"), e.getMessage());
    }

    @Test
    void invalidJsonIsReportedAsSuch() {
        assertThrows(IllegalArgumentException.class, () -> parser.parse("{systems: "));
        assertEquals(List.of(), parser.parse("{\"systems\": [{\"id\": \"a\"}]}").tables());
    }
}
