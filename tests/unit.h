/*
 * unit.h - a tiny assertion header for the unit tests (after Redis's
 * testhelp.h). Each test is a function in a name-to-function table; the
 * runner prints one "PASS name" or "FAIL name: why" line per test, which
 * tests/run.sh counts.
 *
 *   static void t_something(void) { CHECK(1 + 1 == 2); CHECK_EQ(x, 3); }
 *   static const struct unit_test tests[] = { UNIT(t_something), {0} };
 *   int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};
#define UNIT(f) { #f, f }

static int unit_failed_;
static const char *unit_name_;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("FAIL %s: %s:%d: %s\n", unit_name_, __FILE__,  \
			       __LINE__, #cond);                              \
			unit_failed_ = 1;                                     \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_) {                                               \
			printf("FAIL %s: %s:%d: %s == %lld, expected %s == "  \
			       "%lld\n",                                      \
			       unit_name_, __FILE__, __LINE__, #a, a_, #b,    \
			       b_);                                           \
			unit_failed_ = 1;                                     \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                      \
			printf("FAIL %s: %s:%d: %s is \"%s\", expected "      \
			       "\"%s\"\n",                                    \
			       unit_name_, __FILE__, __LINE__, #a,            \
			       a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
			unit_failed_ = 1;                                     \
			return;                                               \
		}                                                             \
	} while (0)

/* Runs every test, or only those named on the command line. Returns 1 if
 * any failed. */
static inline int unit_main(const struct unit_test *t, int argc, char **argv)
{
	int any = 0;
	for (; t->name; t++) {
		if (argc > 1) {
			int want = 0;
			for (int i = 1; i < argc; i++)
				want |= strcmp(argv[i], t->name) == 0;
			if (!want)
				continue;
		}
		unit_failed_ = 0;
		unit_name_ = t->name;
		t->fn();
		if (!unit_failed_)
			printf("PASS %s\n", t->name);
		any |= unit_failed_;
		fflush(stdout);
	}
	return any;
}

#endif /* TESTS_UNIT_H */
