package dev.jlava.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.beans.FeatureDescriptor;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * A Jinjava environment that behaves like the one transformers renders chat templates with:
 * jinja2 with trim_blocks and lstrip_blocks, {@code raise_exception}, {@code strftime_now}, a
 * {@code tojson} that writes like Python's json.dumps, a {@code {% generation %}} block that just
 * renders its body, and the Python str methods templates call ({@code .strip()}, {@code .upper()},
 * {@code .startswith()}, {@code .split()}, ...), which Jinjava (Java strings) lacks.
 */
final class HfJinja {
    private HfJinja() {}

    /** Thrown by the template's {@code raise_exception(msg)}. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String msg) { super(msg); }
    }

    static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false) // message text containing "{{" stays text
                .withElResolver(resolver)
                .build();
        Jinjava j = new Jinjava(config);
        try {
            java.lang.reflect.Method raise = HfJinja.class.getDeclaredMethod("raiseException", Object.class);
            java.lang.reflect.Method now = HfJinja.class.getDeclaredMethod("strftimeNow", String.class);
            raise.setAccessible(true); // the class is package-private
            now.setAccessible(true);
            j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", raise));
            j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", now));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        j.getGlobalContext().registerFilter(new ToJson());
        j.getGlobalContext().registerTag(new GenerationTag());
        return j;
    }

    public static Object raiseException(Object message) {
        throw new TemplateRaised(String.valueOf(message));
    }

    /** Python strftime for the directives chat templates use (%d %b %Y %m %B %H %M %S %y %a %A %j %p %I %%). */
    public static String strftimeNow(String format) {
        ZonedDateTime now = ZonedDateTime.now();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd"; case 'm' -> "MM"; case 'Y' -> "yyyy"; case 'y' -> "yy"; case 'b' -> "MMM"; case 'B' -> "MMMM";
                case 'H' -> "HH"; case 'I' -> "hh"; case 'M' -> "mm"; case 'S' -> "ss"; case 'a' -> "EEE"; case 'A' -> "EEEE";
                case 'j' -> "DDD"; case 'p' -> "a";
                default -> null;
            };
            if (pattern != null) sb.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now));
            else if (d == '%') sb.append('%');
            else sb.append('%').append(d);
        }
        return sb.toString();
    }

    /** Python's json.dumps(x, ensure_ascii=False): ", " and ": " separators, or indent=N. */
    static final class ToJson implements Filter {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public String getName() { return "tojson"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indentArg = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            try {
                if (indentArg != null) {
                    int indent = ((Number) (indentArg instanceof String s ? Integer.valueOf(s) : indentArg)).intValue();
                    DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                            .withSeparators(Separators.createDefaultInstance()
                                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                                    .withObjectEmptySeparator("").withArrayEmptySeparator(""));
                    DefaultIndenter ind = new DefaultIndenter(" ".repeat(indent), "\n");
                    pp.indentObjectsWith(ind);
                    pp.indentArraysWith(ind);
                    return JSON.writer(pp).writeValueAsString(var);
                }
                return pythonSpacing(JSON.writeValueAsString(var));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("tojson: " + e.getOriginalMessage(), e);
            }
        }

        /** Adds the space Python puts after ',' and ':' outside strings. */
        static String pythonSpacing(String compact) {
            StringBuilder sb = new StringBuilder(compact.length() + 16);
            boolean inString = false;
            for (int i = 0; i < compact.length(); i++) {
                char c = compact.charAt(i);
                sb.append(c);
                if (inString) {
                    if (c == '\\') sb.append(compact.charAt(++i));
                    else if (c == '"') inString = false;
                } else if (c == '"') {
                    inString = true;
                } else if (c == ',' || c == ':') {
                    sb.append(' ');
                }
            }
            return sb.toString();
        }
    }

    /** transformers' {% generation %} marks assistant text for return_assistant_tokens_mask; here it renders its body. */
    static final class GenerationTag implements Tag {
        @Override
        public String getName() { return "generation"; }

        @Override
        public String getEndTagName() { return "endgeneration"; }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder sb = new StringBuilder();
            for (Node child : tagNode.getChildren()) sb.append(child.render(interpreter).getValue());
            return sb.toString();
        }
    }

    /** Resolves Python str method calls on Java strings; everything else falls through to Jinjava. */
    static final class PythonStrMethods extends ELResolver {
        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
            if (!(base instanceof String s) || method == null) return null;
            Object[] p = params == null ? new Object[0] : params;
            Object result = call(s, method.toString(), p);
            if (result == NOT_HANDLED) return null;
            context.setPropertyResolved(true);
            return result;
        }

        private static final Object NOT_HANDLED = new Object();

        static Object call(String s, String name, Object[] p) {
            return switch (name + "/" + p.length) {
                case "upper/0" -> s.toUpperCase(Locale.ROOT);
                case "lower/0" -> s.toLowerCase(Locale.ROOT);
                case "strip/0" -> stripChars(s, null, true, true);
                case "strip/1" -> stripChars(s, str(p[0]), true, true);
                case "lstrip/0" -> stripChars(s, null, true, false);
                case "lstrip/1" -> stripChars(s, str(p[0]), true, false);
                case "rstrip/0" -> stripChars(s, null, false, true);
                case "rstrip/1" -> stripChars(s, str(p[0]), false, true);
                case "startswith/1" -> anyOf(p[0]).stream().anyMatch(s::startsWith);
                case "endswith/1" -> anyOf(p[0]).stream().anyMatch(s::endsWith);
                case "split/0" -> List.of(s.strip().isEmpty() ? new String[0] : s.strip().split("\\s+"));
                case "split/1" -> p[0] == null ? call(s, "split", new Object[0]) : splitOn(s, str(p[0]), -1);
                case "split/2" -> splitOn(s, str(p[0]), ((Number) p[1]).intValue());
                case "replace/2" -> s.replace(str(p[0]), str(p[1]));
                case "title/0" -> title(s);
                case "capitalize/0" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
                case "find/1" -> s.indexOf(str(p[0]));
                case "count/1" -> count(s, str(p[0]));
                case "join/1" -> join(s, p[0]);
                case "splitlines/0" -> s.lines().toList();
                case "isspace/0" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
                case "isdigit/0" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
                case "isalpha/0" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
                default -> NOT_HANDLED;
            };
        }

        private static String str(Object o) { return o == null ? null : o.toString(); }

        private static List<String> anyOf(Object o) {
            if (o instanceof Collection<?> c) return c.stream().map(String::valueOf).toList();
            return List.of(String.valueOf(o));
        }

        private static String stripChars(String s, String chars, boolean left, boolean right) {
            int a = 0, b = s.length();
            if (chars == null) {
                while (left && a < b && Character.isWhitespace(s.charAt(a))) a++;
                while (right && b > a && Character.isWhitespace(s.charAt(b - 1))) b--;
            } else {
                while (left && a < b && chars.indexOf(s.charAt(a)) >= 0) a++;
                while (right && b > a && chars.indexOf(s.charAt(b - 1)) >= 0) b--;
            }
            return s.substring(a, b);
        }

        private static List<String> splitOn(String s, String sep, int maxSplit) {
            if (sep.isEmpty()) throw new IllegalArgumentException("split: empty separator");
            List<String> out = new ArrayList<>();
            int from = 0;
            while (maxSplit < 0 || out.size() < maxSplit) {
                int i = s.indexOf(sep, from);
                if (i < 0) break;
                out.add(s.substring(from, i));
                from = i + sep.length();
            }
            out.add(s.substring(from));
            return out;
        }

        private static String title(String s) {
            StringBuilder sb = new StringBuilder(s.length());
            boolean prevLetter = false;
            for (char c : s.toCharArray()) {
                sb.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
                prevLetter = Character.isLetter(c);
            }
            return sb.toString();
        }

        private static int count(String s, String sub) {
            if (sub.isEmpty()) return s.length() + 1;
            int n = 0;
            for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
            return n;
        }

        private static String join(String sep, Object items) {
            List<String> parts = new ArrayList<>();
            if (items instanceof Iterable<?> it) it.forEach(x -> parts.add(String.valueOf(x)));
            else parts.add(String.valueOf(items));
            return String.join(sep, parts);
        }

        @Override public Object getValue(ELContext context, Object base, Object property) { return null; }

        @Override public Class<?> getType(ELContext context, Object base, Object property) { return null; }

        @Override public void setValue(ELContext context, Object base, Object property, Object value) { }

        @Override public boolean isReadOnly(ELContext context, Object base, Object property) { return true; }

        @Override public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) { return null; }

        @Override public Class<?> getCommonPropertyType(ELContext context, Object base) { return null; }
    }
}
