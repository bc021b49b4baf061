/* user.c — `kefu user add|list|passwd`: accounts and roles from the command line. Passwords are
 * read from stdin (first line) unless --password is given, so they stay out of shell history. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"
#include "base/rand.h"
#include "cli/cli.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kefu user add NAME --role ROLE [--level L] [--display D] [--team T] [--post P]\n"
	    "                     [--dept D] [--skills g1,g2] [--max-chats N] [--password PW] [--db PATH]\n"
	    "       kefu user list [--format text|json] [--db PATH]\n"
	    "       kefu user passwd NAME [--db PATH]\n"
	    "Roles: agent (level junior|senior), lead, supervisor, manager, qa, dept, admin.\n"
	    "Without --password the password is read from the first line of stdin.\n");
}

static int read_password(char *out, size_t cap)
{
	if (!fgets(out, (int)cap, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static json_t *split_skills(const char *csv)
{
	json_t *arr = json_array();
	char buf[256];
	snprintf(buf, sizeof buf, "%s", csv);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	return arr;
}

int cli_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *verb = argv[1];
	const char *db = "var/kefu.db", *format = "text", *password = NULL;
	struct user_new u = {0};
	json_t *skills = NULL;
	static const struct option opts[] = {
	    {"role", required_argument, 0, 'r'},
	    {"level", required_argument, 0, 'l'},
	    {"display", required_argument, 0, 'n'},
	    {"team", required_argument, 0, 't'},
	    {"post", required_argument, 0, 'p'},
	    {"dept", required_argument, 0, 'e'},
	    {"skills", required_argument, 0, 'k'},
	    {"max-chats", required_argument, 0, 'm'},
	    {"password", required_argument, 0, 'w'},
	    {"db", required_argument, 0, 'd'},
	    {"format", required_argument, 0, 'f'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			u.role = optarg;
			break;
		case 'l':
			u.level = optarg;
			break;
		case 'n':
			u.display = optarg;
			break;
		case 't':
			u.team = optarg;
			break;
		case 'p':
			u.post = optarg;
			break;
		case 'e':
			u.dept = optarg;
			break;
		case 'k':
			json_decref(skills);
			skills = split_skills(optarg);
			break;
		case 'm':
			u.max_chats = atoi(optarg);
			break;
		case 'w':
			password = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			usage(stdout);
			json_decref(skills);
			return 0;
		default:
			usage(stderr);
			json_decref(skills);
			return 2;
		}
	}
	u.skills = skills;
	const char *name = optind < argc ? argv[optind] : NULL;
	bool needs_name = strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0;
	if (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "passwd")) {
		fprintf(stderr, "kefu user: unknown action '%s' (add, list, passwd)\n", verb);
		json_decref(skills);
		return 2;
	}
	if ((needs_name && !name) || (strcmp(verb, "list") == 0 && name)) {
		usage(stderr);
		json_decref(skills);
		return 2;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr, "kefu user: --format must be text or json\n");
		json_decref(skills);
		return 2;
	}
	if (rand_init() < 0)
		return 1;
	struct store *s = cli_open_store(db);
	if (!s) {
		json_decref(skills);
		return 1;
	}
	struct store_reader *r = NULL;
	struct kefu_err err = {0};
	int status = 1;
	if (store_reader_open(s, &r, &err) < 0) {
		fprintf(stderr, "kefu user: %s\n", err.msg);
		goto out;
	}
	char pw[300];
	if (needs_name && !password) {
		if (read_password(pw, sizeof pw) < 0) {
			fprintf(stderr, "kefu user: no password on stdin (or give --password)\n");
			goto out;
		}
		password = pw;
	}
	if (strcmp(verb, "add") == 0) {
		u.name = name;
		u.password = password;
		if (!u.role) {
			fprintf(stderr, "kefu user add: --role is required\n");
			status = 2;
			goto out;
		}
		char id[24];
		if (users_add_sync(s, r, &u, id, &err) < 0) {
			fprintf(stderr, "kefu user add: %s%s%s\n", err.field[0] ? err.field : "",
				err.field[0] ? ": " : "", err.msg);
			goto out;
		}
		printf("%s\n", id);
		status = 0;
	} else if (strcmp(verb, "passwd") == 0) {
		if (users_passwd_sync(s, r, name, password, &err) < 0) {
			fprintf(stderr, "kefu user passwd: %s\n", err.msg);
			goto out;
		}
		status = 0;
	} else {
		json_t *list = NULL;
		if (store_users_list(r, &list, &err) < 0) {
			fprintf(stderr, "kefu user list: %s\n", err.msg);
			goto out;
		}
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v)
		{
			if (strcmp(format, "json") == 0) {
				char *line = json_dumps(v, JSON_COMPACT);
				printf("%s\n", line);
				free(line);
			} else {
				printf("%-20s %-12s %-8s %-10s %s\n",
				       json_string_value(json_object_get(v, "name")),
				       json_string_value(json_object_get(v, "role")),
				       json_string_value(json_object_get(v, "level")),
				       json_string_value(json_object_get(v, "team")),
				       json_string_value(json_object_get(v, "id")));
			}
		}
		json_decref(list);
		status = 0;
	}
out:
	json_decref(skills);
	store_reader_close(r);
	store_close(s);
	return status;
}
