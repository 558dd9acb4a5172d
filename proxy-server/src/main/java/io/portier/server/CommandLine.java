package io.portier.server;

import io.portier.config.HostPort;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed command line: {@code portier [COMMAND] [OPTIONS]}.
 *
 * @param config the {@code -c FILE}, or {@code PORTIER_CONFIG} when the command reads a config and
 *               no {@code -c} was given
 * @param admin  {@code --admin HOST:PORT} (reload and check --diff)
 * @param diff   {@code check --diff}
 */
record CommandLine(Command command, Optional<Path> config, Optional<HostPort> admin, boolean diff) {

    static final String CONFIG_ENV = "PORTIER_CONFIG";

    static final String USAGE = """
            Usage: portier [COMMAND] [OPTIONS]

            Commands:
              demo                    run the built-in demo (the default without a command)
              run -c FILE             run with a config file
              check -c FILE           validate a config file; print every problem as
                                      FILE:LINE: path: message
              check -c FILE --diff    also print what a reload to FILE would change in
                                      the running proxy (asks its admin API)
              reload [-c FILE | --admin HOST:PORT]
                                      ask the running proxy to reload its config file
              version                 print the version
              help                    print this help

            Options:
              -c, --config FILE       the config file (default: $PORTIER_CONFIG)
              --admin HOST:PORT       the admin API to ask (reload, check --diff;
                                      default: admin.bind of the config, else of
                                      reference.conf)

            Exit codes: 0 ok, 1 invalid config, 2 usage, 3 a port could not be bound.
            """;

    enum Command {
        DEMO, RUN, CHECK, RELOAD, VERSION, HELP;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Optional<Command> byWord(String word) {
            return Arrays.stream(values()).filter(c -> c.word().equals(word)).findFirst();
        }

        boolean readsConfig() {
            return this == RUN || this == CHECK || this == RELOAD;
        }

        boolean needsConfig() {
            return this == RUN || this == CHECK;
        }
    }

    static CommandLine parse(String[] args, Map<String, String> env) throws UsageException {
        if (args.length == 0) {
            return new CommandLine(Command.DEMO, Optional.empty(), Optional.empty(), false);
        }
        if (isHelp(args[0])) {
            return help();
        }
        Command command = Command.byWord(args[0])
                .orElseThrow(() -> new UsageException("unknown command: " + args[0]));
        Path config = null;
        HostPort admin = null;
        boolean diff = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (isHelp(arg)) {
                return help();
            } else if (arg.equals("-c") || arg.equals("--config")) {
                config = Path.of(valueOf(args, ++i, arg, "FILE"));
            } else if (arg.startsWith("--config=")) {
                config = Path.of(nonEmpty(arg.substring("--config=".length()), "--config", "FILE"));
            } else if (arg.equals("--admin")) {
                admin = hostPort(valueOf(args, ++i, arg, "HOST:PORT"));
            } else if (arg.startsWith("--admin=")) {
                admin = hostPort(nonEmpty(arg.substring("--admin=".length()), "--admin", "HOST:PORT"));
            } else if (arg.equals("--diff") && command == Command.CHECK) {
                diff = true;
            } else if (arg.startsWith("-")) {
                throw new UsageException(command.word() + ": unknown option: " + arg);
            } else {
                throw new UsageException(command.word() + ": unexpected argument: " + arg);
            }
        }
        if (config != null && !command.readsConfig()) {
            throw new UsageException(command.word() + " takes no config file");
        }
        if (admin != null && command != Command.RELOAD && !diff) {
            throw new UsageException(command.word() + ": --admin is an option of reload and check --diff only");
        }
        if (config == null && command.readsConfig()) {
            String fromEnv = env.getOrDefault(CONFIG_ENV, "");
            if (!fromEnv.isBlank()) {
                config = Path.of(fromEnv);
            } else if (command.needsConfig()) {
                throw new UsageException(command.word() + ": missing -c FILE (or set " + CONFIG_ENV + ")");
            }
        }
        return new CommandLine(command, Optional.ofNullable(config), Optional.ofNullable(admin), diff);
    }

    private static CommandLine help() {
        return new CommandLine(Command.HELP, Optional.empty(), Optional.empty(), false);
    }

    private static boolean isHelp(String arg) {
        return arg.equals("-h") || arg.equals("--help");
    }

    private static String valueOf(String[] args, int i, String option, String what) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a " + what);
        }
        return nonEmpty(args[i], option, what);
    }

    private static String nonEmpty(String value, String option, String what) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(option + " needs a " + what);
        }
        return value;
    }

    /** {@code host:port}, {@code [v6]:port}; the port 1-65535. */
    private static HostPort hostPort(String text) throws UsageException {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new UsageException("--admin: " + text + " (expected: HOST:PORT, port 1-65535)");
        }
        return new HostPort(host, port);
    }
}
