/* main.c — `kefu SUBCOMMAND [options]` (DESIGN §5.4): dispatches to src/cli/. Exit status 0 on
 * success, 1 on bad input, 2 on usage errors. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "guard/guard.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *about;
} commands[] = {
    {"serve", cli_serve, "run the service (HTTP, WebSocket, web apps)"},
    {"user", cli_user, "accounts and roles: add, list, passwd"},
    {"scan", guard_cli_scan, "check messages against the compliance rules (C-01…C-11)"},
    {"assess", cli_assess, "assess agents for a period: KPIs, scores, grades, ranks (--explain, --rebuild)"},
    {"demo", cli_demo, "generate realistic demo data (JSON Lines) or load it into the store"},
    {"import", cli_import, "import JSON Lines records (agents, sessions, messages, ratings, …)"},
    {"routes", cli_routes, "print every HTTP route with its permission and roles"},
    {"kb", cli_kb, "knowledge base: import articles (JSON Lines), search (KB-1, KB-2)"},
    {"sla", cli_sla, "business-time deadlines: kefu sla deadline --start T --duration 2h|1bd"},
    {"ticket", cli_ticket, "email channel: kefu ticket ingest FILE.eml posts one mail to a running kefu"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kefu SUBCOMMAND [options]   (kefu SUBCOMMAND --help for its options)\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].about);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kefu: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
