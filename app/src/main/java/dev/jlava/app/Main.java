package dev.jlava.app;

import dev.jlava.io.ModelFileException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code jlava} command line. */
@Command(name = "jlava", mixinStandardHelpOptions = true, version = "jlava 0.1.0",
        description = "LLaVA-family vision-language models in pure Java, with visual-token reduction.",
        subcommands = {DemoCommand.class, RunCommand.class, ReduceCommand.class, GenerateCommand.class, TokenizeCommand.class, InspectCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with jlava's error policy: one message, no stack trace, non-zero exit. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            err.println("jlava: " + userMessage(ex));
            err.flush();
            if (System.getenv("JLAVA_DEBUG") != null) ex.printStackTrace(err);
            return 1;
        });
        return cl;
    }

    static String userMessage(Throwable ex) {
        if (ex instanceof ModelFileException || ex instanceof dev.jlava.vision.MediaFileException
                || ex instanceof IllegalArgumentException || ex instanceof UserError) {
            return ex.getMessage();
        }
        if (ex instanceof UncheckedIOException u) return u.getCause().getMessage();
        if (ex instanceof java.io.IOException) return ex.getMessage();
        if (ex instanceof OutOfMemoryError) return "out of memory (" + ex.getMessage() + "); raise -Xmx through JLAVA_JAVA_OPTS";
        return ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "")
                + " (internal error; set JLAVA_DEBUG=1 for the stack trace)";
    }
}
