/* cmd-serve.h - the `serve` command of the plaudit tool (built when
 * libmicrohttpd is found: the meson feature `http`). */
#ifndef PLAUDIT_CMD_SERVE_H
#define PLAUDIT_CMD_SERVE_H

/* Run `plaudit serve`: argv[0] is "serve", the command's arguments
 * follow.  Returns the exit status (0 after a clean shutdown on SIGTERM or
 * SIGINT, 1 program invalid, 2 usage, 3 cannot listen or read a token
 * file, 4 store failure, 5 internal failure). */
int plaudit_cmd_serve(int argc, char **argv);

/* The command's usage text, for the tool's --help (lines indented by 2). */
extern const char plaudit_cmd_serve_usage[];

#endif
