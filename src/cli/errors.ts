/** A failure the user can act on: printed as "workerhive <command>: <message>", exit status 1. */
export class CliError extends Error {}

/** The command line itself is wrong (unknown flag, bad value, missing argument): exit status 2. */
export class UsageError extends CliError {}
