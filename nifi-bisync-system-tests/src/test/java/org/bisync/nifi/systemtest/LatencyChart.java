/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A PNG of commit-to-commit latency over a run, drawn headless with java.awt: every change a dot at its commit time,
 * and per direction a line through the 99th percentile of each second.
 */
final class LatencyChart {

    record Series(String label, Color color, double[] seconds, double[] millis) {
    }

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private LatencyChart() {
    }

    static void write(Path file, String title, List<Series> series) {
        System.setProperty("java.awt.headless", "true");
        double maxSeconds = 1;
        double maxMillis = 100;
        for (Series s : series) {
            maxSeconds = Math.max(maxSeconds, Arrays.stream(s.seconds()).max().orElse(0));
            maxMillis = Math.max(maxMillis, Arrays.stream(s.millis()).max().orElse(0));
        }
        maxMillis = niceCeiling(maxMillis);
        maxSeconds = Math.max(10, Math.ceil((maxSeconds - 0.5) / 10) * 10); // a run of 60 s ends a little after 60 s
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        // grid and axes
        for (int i = 0; i <= 10; i++) {
            int y = TOP + plotHeight - i * plotHeight / 10;
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT, y, LEFT + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            String label = String.format("%.0f", maxMillis * i / 10);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        for (int s = 0; s <= maxSeconds; s += 10) {
            int x = LEFT + (int) (s / maxSeconds * plotWidth);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x, TOP, x, TOP + plotHeight);
            g.setColor(Color.DARK_GRAY);
            g.drawString(s + " s", x - 10, TOP + plotHeight + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotWidth, plotHeight);
        g.drawString("commit time", LEFT + plotWidth / 2 - 30, HEIGHT - 15);
        g.rotate(-Math.PI / 2);
        g.drawString("commit-to-commit latency, ms", -(TOP + plotHeight / 2 + 90), 20);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int legendX = LEFT + plotWidth - 420;
        int legendY = TOP + 20;
        for (Series s : series) {
            Color dots = new Color(s.color().getRed(), s.color().getGreen(), s.color().getBlue(), 40);
            g.setColor(dots);
            for (int i = 0; i < s.seconds().length; i++) {
                int x = LEFT + (int) (Math.min(1, s.seconds()[i] / maxSeconds) * plotWidth);
                int y = TOP + plotHeight - (int) (s.millis()[i] / maxMillis * plotHeight);
                g.fillRect(x - 1, y - 1, 3, 3);
            }
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2f));
            int previousX = -1;
            int previousY = -1;
            for (double[] point : p99PerSecond(s)) {
                int x = LEFT + (int) (Math.min(1, point[0] / maxSeconds) * plotWidth);
                int y = TOP + plotHeight - (int) (point[1] / maxMillis * plotHeight);
                if (previousX >= 0) {
                    g.drawLine(previousX, previousY, x, y);
                }
                previousX = x;
                previousY = y;
            }
            g.fillRect(legendX, legendY - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(s.label() + ": dots each change, line p99 per second", legendX + 18, legendY);
            legendY += 20;
        }
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static List<double[]> p99PerSecond(Series s) {
        List<double[]> points = new ArrayList<>();
        int seconds = (int) Math.ceil(Arrays.stream(s.seconds()).max().orElse(0)) + 1;
        List<List<Double>> buckets = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            buckets.add(new ArrayList<>());
        }
        for (int i = 0; i < s.seconds().length; i++) {
            buckets.get((int) s.seconds()[i]).add(s.millis()[i]);
        }
        for (int i = 0; i < seconds; i++) {
            if (!buckets.get(i).isEmpty()) {
                double[] sorted = buckets.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                points.add(new double[] {i + 0.5, LatencyProbe.percentile(sorted, 99)});
            }
        }
        return points;
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (value <= step * magnitude) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
