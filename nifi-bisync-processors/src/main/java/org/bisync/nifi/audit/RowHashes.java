/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** MD5 as the databases compute it (lower-case hex of the text's UTF-8 bytes), for engines that have no hash function. */
final class RowHashes {

    private RowHashes() {
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has MD5", e);
        }
    }

    /** The number of the first 15 hexadecimal digits of an MD5, as the dialects' {@code hashNumber} computes it. */
    static long number(String md5Hex) {
        return Long.parseLong(md5Hex.substring(0, 15), 16);
    }
}
