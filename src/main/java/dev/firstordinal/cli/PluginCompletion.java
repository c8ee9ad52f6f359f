package dev.firstordinal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Completion for {@code kubectl first-ordinal <TAB>}. kubectl (1.26+) completes a plugin by running
 * {@code kubectl_complete-first_ordinal} from the PATH with the words typed after the plugin name, the
 * last one the word being completed ({@code ""} for a new word), and reads Cobra's {@code __complete}
 * answer: one candidate a line (a tab, then a description, may follow), then {@code :<directive>}.
 * The launcher runs {@code first-ordinal __complete WORDS...} under that name. Candidates come from
 * the picocli model, so every command and option, and the values an option declares
 * ({@code -o}, {@code --key-type}, {@code --hook-on-error}), complete with no list kept here.
 */
final class PluginCompletion {

    /** The hidden command word: {@code first-ordinal __complete WORDS...}, as Cobra names it. */
    static final String COMMAND = "__complete";

    /** Cobra's ShellCompDirectiveDefault: the shell may complete file names. */
    static final int FILES = 0;
    /** Cobra's ShellCompDirectiveNoFileComp: only the candidates given. */
    static final int NO_FILES = 4;

    private PluginCompletion() {
    }

    /** Cobra's {@code __complete} answer for {@code words} (the last is the word being completed). */
    static String answer(CommandLine top, List<String> words) {
        List<String> typed = words.isEmpty() ? List.of("") : words;
        String current = typed.get(typed.size() - 1);
        CommandSpec command = top.getCommandSpec();
        OptionSpec valueOf = null;
        for (String word : typed.subList(0, typed.size() - 1)) {
            if (valueOf != null) {
                valueOf = null;
            } else if (word.startsWith("-")) {
                OptionSpec option = word.contains("=") ? null : command.findOption(word);
                valueOf = option != null && option.arity().min() > 0 ? option : null;
            } else if (command.subcommands().containsKey(word)) {
                command = command.subcommands().get(word).getCommandSpec();
            }
        }
        List<String> lines = new ArrayList<>();
        int directive = NO_FILES;
        if (valueOf != null) {
            directive = values(valueOf, "", current, lines);
        } else if (current.startsWith("-") && current.contains("=")) {
            String name = current.substring(0, current.indexOf('='));
            OptionSpec option = command.findOption(name);
            if (option != null && option.arity().min() > 0) {
                directive = values(option, name + "=", current.substring(name.length() + 1), lines);
            }
        } else if (current.startsWith("-")) {
            for (OptionSpec option : command.options()) {
                if (!option.hidden()) {
                    for (String name : option.names()) {
                        if (name.startsWith(current)) {
                            lines.add(name + "\t" + summary(option.description()));
                        }
                    }
                }
            }
        } else {
            CommandSpec commands = command.name().equals("help") && command.parent() != null ? command.parent() : command;
            commands.subcommands().forEach((name, sub) -> {
                if (name.startsWith(current) && !sub.getCommandSpec().usageMessage().hidden()) {
                    lines.add(name + "\t" + summary(sub.getCommandSpec().usageMessage().description()));
                }
            });
        }
        StringBuilder out = new StringBuilder();
        lines.forEach(line -> out.append(line).append('\n'));
        return out.append(':').append(directive).append('\n').toString();
    }

    /** The values {@code option} declares that start with {@code prefix}; files when it takes a file and declares none. */
    private static int values(OptionSpec option, String before, String prefix, List<String> lines) {
        if (option.completionCandidates() != null) {
            for (String value : option.completionCandidates()) {
                if (value.startsWith(prefix)) {
                    lines.add(before + value);
                }
            }
            return NO_FILES;
        }
        boolean file = Path.class.isAssignableFrom(option.type()) || option.paramLabel().matches(".*(FILE|DIR).*");
        return file ? FILES : NO_FILES;
    }

    /** The first line of a description, shortened for the shell's menu. */
    private static String summary(String[] description) {
        String first = description.length == 0 ? "" : description[0].replace('\t', ' ').strip();
        return first.length() <= 72 ? first : first.substring(0, 71) + "…";
    }
}
