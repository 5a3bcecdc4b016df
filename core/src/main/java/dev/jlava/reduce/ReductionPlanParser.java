package dev.jlava.reduce;

import dev.jlava.reduce.fastv.FastV;
import dev.jlava.reduce.holitom.HoliTomConfig;
import dev.jlava.reduce.holitom.HoliTomInner;
import dev.jlava.reduce.holitom.HoliTomOuter;
import dev.jlava.reduce.st3.ProgressiveVisualTokenPruning;
import dev.jlava.reduce.st3.VisualTokenAnnealing;
import dev.jlava.reduce.visionzip.VisionZip;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the CLI's reduction plan: {@code none}, or stages joined with {@code +}, each
 * {@code name} or {@code name(key=value,...)}; names and keys are case-insensitive.
 *
 * <pre>
 * holitom(r=0.15,tau=0.8,beta=0.6,d=0,knn=7,maxwindow=1024,nobeta=0,k=18,mr=0.5,merge=seq,outer=1)
 *     outer stage; the inner merge at layer k with ratio mr only when k is given.
 *     Bare "holitom" = the official LLaVA-OV-7B / LLaVA-Video-7B script setting: r 0.15, tau 0.8,
 *     inner merge k=18, mr=0.5 (Qwen2-7B, 28 layers; pass k for other depths).
 * fastv(K=2,R=0.5)
 * visionzip(dominant=54,contextual=10)   or visionzip(spatial=30): per frame, 54/64 dominant
 * pvtp(k0=2,stride=2,ratio=0.2,minkeep=1,mode=geometric,keep=461/369/295)   stride=inf: one event
 * vta(floor=0.25,horizon=128,shape=cosine,score=current,every=1)
 * st3 = pvtp + vta with their defaults; st3(...) takes both parameter sets
 * </pre>
 */
public final class ReductionPlanParser {
    private ReductionPlanParser() {}

    static final String ACCEPTED = "none, or stages joined with '+': "
            + "holitom(r,tau,beta,d,knn,maxwindow,nobeta,k,mr,merge,outer), fastv(K,R), visionzip(dominant,contextual | spatial), "
            + "pvtp(k0,stride,ratio,minkeep,mode,keep), vta(floor,horizon,shape,score,every), st3(pvtp and vta parameters)";

    private static final Set<String> HOLITOM = Set.of("r", "tau", "beta", "d", "knn", "maxwindow", "nobeta", "k", "mr", "merge", "outer");
    private static final Set<String> FASTV = Set.of("k", "r");
    private static final Set<String> VISIONZIP = Set.of("dominant", "contextual", "spatial");
    private static final Set<String> PVTP = Set.of("k0", "stride", "ratio", "minkeep", "mode", "keep");
    private static final Set<String> VTA = Set.of("floor", "horizon", "shape", "score", "every");

    /** Inner merge defaults of the official full-HoliTom scripts. */
    public static final int HOLITOM_DEFAULT_K = 18;
    public static final double HOLITOM_DEFAULT_MR = 0.5;

    public static ReductionPlan parse(String text) {
        if (text == null || text.isBlank()) throw new PlanSyntaxException("empty reduction plan; accepted: " + ACCEPTED);
        List<String> stages = splitStages(text.trim());
        VisualReducer outer = null;
        String outerName = null;
        List<LayerReducer> layers = new ArrayList<>();
        CacheReducer cache = null;
        for (String stage : stages) {
            Stage s = parseStage(stage, text);
            if (s.name.equals("none")) {
                if (stages.size() > 1) throw new PlanSyntaxException("'none' cannot be combined with other stages in '" + text + "'");
                if (s.params != null) throw new PlanSyntaxException("'none' takes no parameters");
                return ReductionPlan.NONE;
            }
            Parsed p = build(s);
            if (p.outer != null) {
                if (outer != null) {
                    throw new PlanSyntaxException("'" + text + "' has two stages before the decoder (" + outerName + " and " + s.name
                            + "); at most one of holitom, visionzip");
                }
                outer = p.outer;
                outerName = s.name;
            }
            layers.addAll(p.layers);
            if (p.cache != null) {
                if (cache != null) throw new PlanSyntaxException("'" + text + "' has two decoding-time stages (vta twice); at most one");
                cache = p.cache;
            }
        }
        return new ReductionPlan(outer, layers, cache);
    }

    /** Parses and checks the layers against a model with {@code numLayers} decoder layers. */
    public static ReductionPlan parse(String text, int numLayers) {
        return parse(text).validate(numLayers);
    }

    private record Stage(String name, Map<String, String> params, String source) {}

    private record Parsed(VisualReducer outer, List<LayerReducer> layers, CacheReducer cache) {}

    private static List<String> splitStages(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            if (depth < 0) throw new PlanSyntaxException("unbalanced ')' at character " + (i + 1) + " of '" + text + "'");
            if (c == '+' && depth == 0) {
                out.add(text.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (depth != 0) throw new PlanSyntaxException("missing ')' in '" + text + "'");
        out.add(text.substring(start).trim());
        for (String s : out) if (s.isEmpty()) throw new PlanSyntaxException("empty stage in '" + text + "' (stray '+'?); accepted: " + ACCEPTED);
        return out;
    }

    private static Stage parseStage(String stage, String whole) {
        int open = stage.indexOf('(');
        String name = (open < 0 ? stage : stage.substring(0, open)).trim().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9_]+")) throw new PlanSyntaxException("cannot read stage '" + stage + "' in '" + whole + "'; accepted: " + ACCEPTED);
        if (!Set.of("none", "holitom", "fastv", "visionzip", "pvtp", "vta", "st3").contains(name)) {
            throw new PlanSyntaxException("unknown method '" + name + "' in '" + whole + "'; accepted: " + ACCEPTED);
        }
        if (open < 0) return new Stage(name, null, stage);
        if (!stage.endsWith(")")) throw new PlanSyntaxException("text after ')' in stage '" + stage + "'");
        String inner = stage.substring(open + 1, stage.length() - 1).trim();
        Map<String, String> params = new LinkedHashMap<>();
        if (!inner.isEmpty()) {
            for (String kv : inner.split(",", -1)) {
                int eq = kv.indexOf('=');
                if (eq < 0) throw new PlanSyntaxException(name + ": parameter '" + kv.trim() + "' is not key=value");
                String key = kv.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = kv.substring(eq + 1).trim();
                if (key.isEmpty() || value.isEmpty()) throw new PlanSyntaxException(name + ": parameter '" + kv.trim() + "' is not key=value");
                if (params.put(key, value) != null) throw new PlanSyntaxException(name + ": parameter '" + key + "' given twice");
            }
        }
        return new Stage(name, params, stage);
    }

    private static Parsed build(Stage s) {
        Params p = new Params(s.name, s.params == null ? Map.of() : s.params);
        return switch (s.name) {
            case "holitom" -> {
                p.only(HOLITOM, "r, tau, beta, d, knn, maxwindow, nobeta, k, mr, merge, outer");
                HoliTomConfig d = HoliTomConfig.DEFAULTS;
                boolean withOuter = p.bool("outer", true);
                HoliTomConfig cfg = p.wrap(() -> new HoliTomConfig(p.dbl("r", d.retainRatio()), p.dbl("tau", d.tau()),
                        p.dbl("beta", d.beta()), p.dbl("d", d.d()), p.integer("knn", d.knn()),
                        p.integer("maxwindow", d.maxWindow()), p.bool("nobeta", false)));
                boolean bare = s.params == null;
                Integer k = bare ? Integer.valueOf(HOLITOM_DEFAULT_K) : p.has("k") ? Integer.valueOf(p.integer("k", 0)) : null;
                if (k == null && p.has("mr")) throw new PlanSyntaxException("holitom: mr (inner merge ratio) needs k (the merge layer)");
                if (k == null && p.has("merge")) throw new PlanSyntaxException("holitom: merge= needs k (the merge layer)");
                if (!withOuter && k == null) throw new PlanSyntaxException("holitom(outer=0) needs k: with neither stage nothing is left");
                List<LayerReducer> layers = new ArrayList<>();
                if (k != null) {
                    String merge = p.choice("merge", "seq", Set.of("seq", "mean"));
                    layers.add(new HoliTomInner(k, p.dbl("mr", HOLITOM_DEFAULT_MR), merge.equals("mean")));
                }
                yield new Parsed(withOuter ? new HoliTomOuter(cfg) : null, layers, null);
            }
            case "fastv" -> {
                p.only(FASTV, "K (filtering layer >= 1), R (removed share of image tokens, 0..1)");
                yield new Parsed(null, List.of(new FastV(p.integer("k", 2), p.dbl("r", 0.5))), null);
            }
            case "visionzip" -> {
                p.only(VISIONZIP, "dominant and contextual (token counts), or spatial (tokens per frame, 54/64 dominant)");
                if (p.has("spatial")) {
                    if (p.has("dominant") || p.has("contextual")) throw new PlanSyntaxException("visionzip: give spatial, or dominant and contextual, not both");
                    int sp = p.integer("spatial", 0);
                    if (sp < 1) throw new PlanSyntaxException("visionzip spatial=" + sp + ": must be >= 1");
                    yield new Parsed(VisionZip.ofSpatial(sp), List.of(), null);
                }
                yield new Parsed(new VisionZip(p.integer("dominant", 54), p.integer("contextual", 10)), List.of(), null);
            }
            case "pvtp" -> {
                p.only(PVTP, "k0, stride (or inf), ratio, minkeep, mode (geometric|linear), keep (counts or fractions joined with '/')");
                yield new Parsed(null, List.of(pvtp(p)), null);
            }
            case "vta" -> {
                p.only(VTA, "floor, horizon, shape (cosine|linear|exponential|step), score (current|accumulated), every");
                yield new Parsed(null, List.of(), vta(p));
            }
            case "st3" -> {
                Set<String> both = new java.util.HashSet<>(PVTP);
                both.addAll(VTA);
                p.only(both, "pvtp's k0, stride, ratio, minkeep, mode, keep and vta's floor, horizon, shape, score, every");
                yield new Parsed(null, List.of(pvtp(p)), vta(p));
            }
            default -> throw new PlanSyntaxException("unknown method '" + s.name + "'; accepted: " + ACCEPTED);
        };
    }

    private static ProgressiveVisualTokenPruning pvtp(Params p) {
        ProgressiveVisualTokenPruning.Config d = ProgressiveVisualTokenPruning.Config.DEFAULTS;
        int stride = p.has("stride") && p.raw("stride").equalsIgnoreCase("inf") ? ProgressiveVisualTokenPruning.NO_STRIDE : p.integer("stride", d.stride());
        String mode = p.choice("mode", "geometric", Set.of("geometric", "linear"));
        double[] keep = null;
        if (p.has("keep")) {
            if (p.has("ratio")) throw new PlanSyntaxException(p.method + ": give ratio or keep, not both");
            String[] parts = p.raw("keep").split("/");
            keep = new double[parts.length];
            for (int i = 0; i < parts.length; i++) keep[i] = p.number("keep", parts[i].trim());
        }
        return new ProgressiveVisualTokenPruning(new ProgressiveVisualTokenPruning.Config(p.integer("k0", d.k0()), stride,
                p.dbl("ratio", d.ratio()), p.integer("minkeep", d.minKeep()),
                mode.equals("linear") ? ProgressiveVisualTokenPruning.RatioMode.LINEAR : ProgressiveVisualTokenPruning.RatioMode.GEOMETRIC, keep));
    }

    private static VisualTokenAnnealing vta(Params p) {
        VisualTokenAnnealing.Config d = VisualTokenAnnealing.Config.DEFAULTS;
        String shape = p.choice("shape", "cosine", Set.of("cosine", "linear", "exponential", "step"));
        String score = p.choice("score", "current", Set.of("current", "accumulated"));
        return new VisualTokenAnnealing(new VisualTokenAnnealing.Config(p.dbl("floor", d.floor()), p.integer("horizon", d.horizon()),
                VisualTokenAnnealing.Shape.valueOf(shape.toUpperCase(Locale.ROOT)),
                score.equals("current") ? VisualTokenAnnealing.ScoreMode.CURRENT_STEP : VisualTokenAnnealing.ScoreMode.ACCUMULATED,
                p.integer("every", d.every())));
    }

    /** Typed access to one stage's key=value pairs, with errors naming stage, key and value. */
    private static final class Params {
        final String method;
        final Map<String, String> values;

        Params(String method, Map<String, String> values) {
            this.method = method;
            this.values = values;
        }

        void only(Set<String> allowed, String help) {
            for (String k : values.keySet()) {
                if (!allowed.contains(k)) throw new PlanSyntaxException("unknown parameter '" + k + "' for " + method + "; accepted: " + help);
            }
        }

        boolean has(String k) {
            return values.containsKey(k);
        }

        String raw(String k) {
            return values.get(k);
        }

        double number(String k, String v) {
            try {
                double d = Double.parseDouble(v);
                if (!Double.isFinite(d)) throw new NumberFormatException();
                return d;
            } catch (NumberFormatException e) {
                throw new PlanSyntaxException(method + " " + k + "='" + v + "' is not a number");
            }
        }

        double dbl(String k, double def) {
            return has(k) ? number(k, raw(k)) : def;
        }

        int integer(String k, int def) {
            if (!has(k)) return def;
            try {
                return Integer.parseInt(raw(k));
            } catch (NumberFormatException e) {
                throw new PlanSyntaxException(method + " " + k + "='" + raw(k) + "' is not an integer");
            }
        }

        boolean bool(String k, boolean def) {
            if (!has(k)) return def;
            return switch (raw(k).toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> true;
                case "0", "false", "no", "off" -> false;
                default -> throw new PlanSyntaxException(method + " " + k + "='" + raw(k) + "' is not a boolean (accepted: 1/0, true/false)");
            };
        }

        String choice(String k, String def, Set<String> accepted) {
            if (!has(k)) return def;
            String v = raw(k).toLowerCase(Locale.ROOT);
            if (!accepted.contains(v)) throw new PlanSyntaxException(method + " " + k + "='" + raw(k) + "' is not one of " + new java.util.TreeSet<>(accepted));
            return v;
        }

        /** Turns a config constructor's range check into a {@link PlanSyntaxException} naming the method. */
        <T> T wrap(java.util.function.Supplier<T> s) {
            try {
                return s.get();
            } catch (PlanSyntaxException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new PlanSyntaxException(e.getMessage());
            }
        }
    }
}
