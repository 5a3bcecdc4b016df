package dev.jlava.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code jlava} command line. */
@Command(name = "jlava", mixinStandardHelpOptions = true, version = "jlava 0.1.0",
        description = "LLaVA-family vision-language models in pure Java, with visual-token reduction.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
