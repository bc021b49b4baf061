/* main.c — `kefu` and its subcommands (DESIGN §5.4). Placeholder dispatcher; grows per issue. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kefu SUBCOMMAND [options]\n");
		return 2;
	}
	fprintf(stderr, "kefu: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
