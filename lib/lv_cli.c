/* What every program's command line shares: -d, -c, -h/--help, --version;
 * options before or after operands; one-line usage errors (64). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"
#include "lv_build.h"

int
lv_usage(const char *synopsis, const char *why)
{
	fprintf(stderr, "%s: %s; usage: %s\n", lv_prog, why, synopsis);
	return EX_USAGE;
}

/* getopt_long reports "--flag=value" for a flag as an unknown option with
 * optopt set to the flag's value: say what was wrong with it instead. The
 * argument is escaped so the message stays one line. */
static void
unknown(char **argv, char *why, size_t whysz)
{
	char arg[112];
	char *eq;

	lv_escape(argv[optind - 1], arg, sizeof(arg));
	eq = strchr(arg, '=');
	if (strncmp(arg, "--", 2) == 0 && eq != NULL && optopt != 0)
		snprintf(why, whysz, "option %.*s takes no argument", (int)(eq - arg), arg);
	else if (strncmp(arg, "--", 2) == 0 && optopt == 0)
		snprintf(why, whysz, "unknown option %s", arg);
	else if (optopt > 0x20 && optopt < 0x7f)
		snprintf(why, whysz, "unknown option -%c", optopt);
	else
		snprintf(why, whysz, "unknown option");
}

/* The version and what make compiled in: the defaults of -d and -c, and
 * the only values a set-user-ID run uses. */
static void
version(void)
{
	printf("%s %s\n", lv_prog, LV_VERSION);
	printf("state directory: %s\n", LV_STATEDIR);
	printf("configuration: %s\n", LV_CONFFILE);
	printf("set-user-ID user: %s\n", LV_USER);
}

/* Returns -1 when ch is not a common option; otherwise the exit code to
 * leave with, LV_EXIT_OK to leave with 0, or 0 to go on. */
int
lv_cli_common(int ch, char **argv, struct lv_cli *cli, const char *synopsis)
{
	char why[160], arg[112];

	switch (ch) {
	case 'd':
		cli->dir = optarg;
		return 0;
	case 'c':
		cli->conf = optarg;
		return 0;
	case 'h':
		printf("usage: %s\n", synopsis);
		return lv_fshut() == 0 ? LV_EXIT_OK : EX_IOERR;
	case 'V':
		version();
		return lv_fshut() == 0 ? LV_EXIT_OK : EX_IOERR;
	case '?':
		unknown(argv, why, sizeof(why));
		return lv_usage(synopsis, why);
	case ':':
		lv_escape(argv[optind - 1], arg, sizeof(arg));
		snprintf(why, sizeof(why), "option %s needs an argument", arg);
		return lv_usage(synopsis, why);
	default:
		return -1;
	}
}

/* The program's next own option, the common ones handled on the way; -1
 * at the end, or when *rc is set to leave with (LV_EXIT_OK: leave with 0). */
int
lv_cli_next(int argc, char **argv, const struct option *longopts, struct lv_cli *cli,
    const char *synopsis, int *rc)
{
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, LV_COMMON_SHORT, longopts, NULL)) != -1) {
		if ((r = lv_cli_common(ch, argv, cli, synopsis)) < 0)
			return ch;
		if (r != 0) {
			*rc = r;
			return -1;
		}
	}
	return -1;
}

/* Operands after the options: exactly want of them. */
int
lv_cli_operands(int argc, char **argv, int want, const char *synopsis)
{
	(void)argv;
	if (argc - optind < want)
		return lv_usage(synopsis, "missing operand");
	if (argc - optind > want)
		return lv_usage(synopsis, "too many operands (secrets are read from standard input, never from arguments)");
	return 0;
}
