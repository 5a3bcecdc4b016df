package dev.jlava.app;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * Two side-by-side charts of a method comparison: time to first token and prefill FLOPs (% of no
 * reduction) against the retained share of visual tokens (averaged over decoder layers).
 */
final class MethodPlot {
    private MethodPlot() {}

    /** Mean over layers of the visual rows each layer processed, as a share of the unreduced count. */
    static double retainRatio(RunReport r) {
        int text = r.result().promptIds().length - r.result().visualCount();
        double s = 0;
        for (int n : r.result().rowsPerLayer()) s += n - text;
        return s / r.result().rowsPerLayer().length / r.result().visualNone();
    }

    static void write(Path out, List<RunReport> rows, String title) throws IOException {
        XYChart ttft = chart(title + ": time to first token", "TTFT (s)");
        XYChart flops = chart(title + ": decoder prefill FLOPs", "% of no reduction");
        for (RunReport r : rows) {
            double x = retainRatio(r);
            ttft.addSeries(r.model(), new double[] {x}, new double[] {r.times().timeToFirstToken() / 1e9});
            flops.addSeries(r.model(), new double[] {x}, new double[] {r.prefillFlopsPercent()});
        }
        BufferedImage a = BitmapEncoder.getBufferedImage(ttft), b = BitmapEncoder.getBufferedImage(flops);
        BufferedImage both = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(both, "png", png);
        Path tmp = Files2.tmpFor(out);
        Files.write(tmp, png.toByteArray());
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(640).height(440).title(title).xAxisTitle("visual tokens retained (mean over layers)").yAxisTitle(yTitle).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(12);
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.05).setYAxisMin(0.0);
        return c;
    }
}
