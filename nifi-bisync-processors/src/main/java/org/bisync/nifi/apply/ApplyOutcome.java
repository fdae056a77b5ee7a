/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;

/**
 * The outcome of one change record.
 *
 * @param index  the record's position in the list given to {@link ChangeApplier#apply}
 * @param change the change as applied (a standardized value is in it)
 * @param status what happened
 * @param reason why, for every status but APPLIED (may be null then)
 * @param field  the canonical field a failure is about, where known
 */
public record ApplyOutcome(int index, ChangeRecord change, ApplyStatus status, String reason, String field) {
}
