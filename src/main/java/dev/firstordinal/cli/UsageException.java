package dev.firstordinal.cli;

/**
 * Bad arguments found after parsing (a value out of range, options that exclude each other): the
 * command's {@code call()} throws it and {@link CommandRunner} prints it like a parse error, exit 2.
 */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
