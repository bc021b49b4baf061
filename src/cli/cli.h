/* cli.h — the subcommands of `kefu` (DESIGN §5.4). Each returns the process exit status:
 * 0 success, 1 bad input (message on stderr naming what and where), 2 usage error. */
#ifndef KEFU_CLI_CLI_H
#define KEFU_CLI_CLI_H

struct store;
struct store_reader;
struct kefu_err;
struct guard;

int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_kb(int argc, char **argv); /* src/cli/kb.c: kefu kb import|search, DESIGN §5.4 */
/* `kefu sla deadline` (DESIGN §5.4), src/cli/sla.c. */
int cli_sla(int argc, char **argv);
/* `kefu ticket ingest FILE.eml` (email channel, N-06), src/cli/ticket.c. */
int cli_ticket(int argc, char **argv);
int cli_import(int argc, char **argv); /* src/cli/import.c, DESIGN §5.1 */
int cli_assess(int argc, char **argv); /* src/cli/assess.c, DESIGN §5.3 */
int cli_demo(int argc, char **argv); /* src/cli/demo.c, DESIGN §5.4 */
/* Loads the demo organisation (users, customers, orders) unless it is already there. Prints the
 * demo logins when it loads. */
int demo_org_load(struct store *s, struct store_reader *r, struct kefu_err *err);
/* Opens the store at path, printing a clear error; returns NULL on failure. */
struct store *cli_open_store(const char *path);
/* The compliance guard for imported agent messages (K-30…K-32): the lexicons of dir, else
 * data/lexicons, else the source tree's. NULL after printing why. Caller guard_free()s. */
struct guard *cli_import_guard(const char *dir);

#endif
