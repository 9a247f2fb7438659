package dev.patchtide.cli;

/** The agent's table under its short name here: the admin commands and the lean agent jar print alike. */
final class Table extends dev.patchtide.agent.cli.Table {
    Table(String... headers) {
        super(headers);
    }
}
