/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

/** What was read back is not what was written. */
final class VerificationFailedException extends RuntimeException {
    VerificationFailedException(String message) {
        super(message);
    }
}
