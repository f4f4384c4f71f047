/* cmd-member.h - the `member` command of the plaudit tool. */
#ifndef PLAUDIT_CMD_MEMBER_H
#define PLAUDIT_CMD_MEMBER_H

/* Run `plaudit member`: argv[0] is "member", the command's arguments
 * follow.  Prints the member's profile (text, or JSON with --json) on
 * standard output and messages on standard error; returns the exit status
 * (0 success, 1 program invalid, 2 usage, 3 I/O, 4 store, 5 internal, 6 no
 * such member). */
int plaudit_cmd_member(int argc, char **argv);

/* The synopsis and help (lines indented by 6), for the tool's --help. */
extern const char plaudit_cmd_member_synopsis[];
extern const char plaudit_cmd_member_help[];

#endif
