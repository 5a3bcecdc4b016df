package dev.jlava.app;

import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.LlavaPipeline;
import dev.jlava.llava.VisionCache;
import dev.jlava.llm.Sampler;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.ReductionPlanParser;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one video question with several reduction methods on the same frames, sharing the vision
 * tower's output (computed once, its measured time counted in every row), and prints the table
 * people compare methods with.
 */
final class MethodComparison {
    private MethodComparison() {}

    /** The methods compared by default, as plans valid for a decoder of {@code layers} layers. */
    static Map<String, String> defaultMethods(int layers) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("none", "none");
        m.put("holitom", layers > ReductionPlanParserDefaults.K ? "holitom" : "holitom(r=0.15,tau=0.8,k=" + Math.max(1, layers * 3 / 4) + ",mr=0.5)");
        // the methods' default layers (2) need a third layer; shallow test models act before layer 1
        int early = Math.min(2, Math.max(1, layers - 1));
        m.put("st3", early == 2 ? "st3" : "pvtp(k0=" + early + ",stride=" + early + ",ratio=0.2)+vta(floor=0.25,horizon=128)");
        m.put("fastv", "fastv(K=" + early + ",R=0.5)");
        m.put("visionzip", "visionzip(dominant=54,contextual=10)");
        m.put("holitom+vta", "holitom(r=0.15,tau=0.8)+vta(floor=0.25,horizon=128)");
        return m;
    }

    /** Splits "a,b(x=1,y=2),c" at top-level commas into labelled plans. */
    static Map<String, String> parseList(String list) {
        Map<String, String> m = new LinkedHashMap<>();
        int depth = 0, start = 0;
        for (int i = 0; i <= list.length(); i++) {
            char c = i < list.length() ? list.charAt(i) : ',';
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                String p = list.substring(start, i).trim();
                if (p.isEmpty()) throw new UserError("--reduce: empty method in '" + list + "'");
                m.put(p, p);
                start = i + 1;
            }
        }
        return m;
    }

    interface Listener {
        void before(String label, ReductionPlan plan);

        void after(String label, RunReport report);
    }

    static List<RunReport> run(LlavaModel m, MediaInput in, String question, Map<String, String> methods, QaOptions qa,
                               Sampler sampler, boolean stopAtEos, PrintStream streamTo, Listener listener) {
        VisionCache cache = new VisionCache();
        List<RunReport> rows = new ArrayList<>();
        for (var e : methods.entrySet()) {
            ReductionPlan plan = ReductionPlanParser.parse(e.getValue());
            plan.validate(m.decoder().config().layers());
            listener.before(e.getKey(), plan);
            var sd = m.tokenizer().newStreamDecoder(true);
            LlavaPipeline.Request req = new LlavaPipeline.Request(in.frames(), in.indices(), true, question, plan, qa.maxTokens, sampler,
                    stopAtEos, qa.poolingMode(), qa.newlineMode(),
                    streamTo == null ? null : id -> streamTo.print(printable(sd.push(id))), ConsoleProgress.create(), cache);
            LlavaPipeline.Result res = LlavaPipeline.run(m, req);
            if (streamTo != null) streamTo.println(printable(sd.flush()));
            RunReport r = RunReport.of(e.getKey(), plan, m, in, res);
            rows.add(r);
            listener.after(e.getKey(), r);
        }
        return rows;
    }

    /** Random weights produce arbitrary bytes; control characters are shown as '?' to keep the terminal sane. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) && c != '\n' ? '?' : c));
        return b.toString();
    }

    static void printTable(PrintStream o, List<RunReport> rows) {
        // FLOPs as a share of none: the exact count, and the papers' formula their figures use.
        o.printf("| %-12s | %13s | %10s | %14s | %14s | %10s | %9s | %14s |%n", "method", "visual tokens", "last layer", "prefill FLOPs",
                "papers' FLOPs", "KV bytes", "TTFT (s)", "decode tok/s");
        o.printf("|%s|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(14), "-".repeat(15), "-".repeat(12), "-".repeat(16), "-".repeat(16),
                "-".repeat(12), "-".repeat(11), "-".repeat(16));
        for (RunReport r : rows) {
            int[] perLayer = r.result().rowsPerLayer();
            int text = r.result().promptIds().length - r.result().visualCount();
            o.printf("| %-12s | %13s | %10d | %13.1f%% | %13.1f%% | %9.1f%% | %9.2f | %14.1f |%n", r.model(), r.result().visualNone() + " -> " + r.visualOut(),
                    perLayer[perLayer.length - 1] - text, r.prefillFlopsPercent(), r.prefillFlopsPaperPercent(), r.kvPercent(), r.times().timeToFirstToken() / 1e9,
                    r.result().decodeTokensPerSecond());
        }
    }

    /** The parser's default merge layer of bare "holitom" (the official 7B scripts). */
    private static final class ReductionPlanParserDefaults {
        static final int K = dev.jlava.reduce.ReductionPlanParser.HOLITOM_DEFAULT_K;
    }
}
