/* cmd-credential.h - the `credential` command of the plaudit tool. */
#ifndef PLAUDIT_CMD_CREDENTIAL_H
#define PLAUDIT_CMD_CREDENTIAL_H

/* Run `plaudit credential`: argv[0] is "credential", the command's
 * arguments follow.  Prints the credential on standard output (or -o FILE)
 * and messages on standard error; returns the exit status (0 success, 1
 * program invalid, 2 usage, 3 I/O, 5 internal, 6 not earned / unknown). */
int plaudit_cmd_credential(int argc, char **argv);

/* The command's synopsis ("credential [OPTIONS] ...") and help (lines
 * indented by 6), for the tool's --help. */
extern const char plaudit_cmd_credential_synopsis[];
extern const char plaudit_cmd_credential_help[];

#endif
