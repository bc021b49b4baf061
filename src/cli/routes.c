/* routes.c — `kefu routes`: prints every HTTP route with its permission and the roles that hold
 * it, one JSON object per line, straight from the compiled tables (src/api/routes.c and
 * src/auth/perm.c). The permission test walks this output against a live server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "auth/perm.h"
#include "cli/cli.h"

int cli_routes(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0) {
			printf("usage: kefu routes\nPrints each route as "
			       "{\"method\",\"path\",\"perm\",\"roles\":[…]} per line.\n");
			return 0;
		}
		fprintf(stderr, "usage: kefu routes\n");
		return 2;
	}
	size_t n;
	const struct http_route *r = api_routes(&n);
	for (size_t i = 0; i < n; i++) {
		json_t *roles = json_array();
		for (int role = 0; role < ROLE_COUNT; role++)
			if (perm_allows(r[i].perm, (enum auth_role)role))
				json_array_append_new(roles,
						      json_string(auth_role_name((enum auth_role)role)));
		json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "method", r[i].method, "path", r[i].pattern,
				      "perm", r[i].perm, "roles", roles);
		char *line = json_dumps(o, JSON_COMPACT);
		printf("%s\n", line);
		free(line);
		json_decref(o);
	}
	return 0;
}
