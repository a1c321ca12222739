/*
 * test_emit.c - the checks of tcpcore/emit.c fire: every state of a side
 * comes from tc_first_state() or tc_transition(), and each refuses what
 * the rule table and the states' invariants do not allow. The calls that
 * must abort run in a child process (assert() ends it with SIGABRT); the
 * allowed ones run there too, so that each case is the same experiment.
 * A build with NDEBUG has no checks: the test then says SKIP.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tcpcore/internal.h"
#include "unit.h"

/* Runs fn(tr, cx) in a child on a fresh connection record; returns 0 when
 * the child exited 0, 1 when it aborted, -1 otherwise. */
static int in_child(void (*fn)(struct tc_tracker *, struct tc_cx *))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The assertion messages of the aborts we want are noise. */
		signal(SIGABRT, SIG_DFL);
		if (!freopen("/dev/null", "w", stderr))
			_exit(4);
		struct tc_config cfg;
		tc_config_default(&cfg);
		struct tc_tracker *tr = tc_tracker_new(&cfg);
		struct tc_cx *cx = calloc(1, sizeof *cx);
		if (!tr || !cx)
			_exit(3);
		cx->c.transitions = cx->tr;
		fn(tr, cx);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT)
		return 1;
	return -1;
}

static void open_client(struct tc_tracker *tr, struct tc_cx *cx)
{
	tc_first_state(cx, TC_CLIENT, TC_ST_CLOSED);
	tc_first_state(cx, TC_SERVER, TC_ST_LISTEN);
	cx->ep[TC_CLIENT].syn_seen = 1;
	tc_transition(tr, cx, TC_CLIENT, TC_ST_SYN_SENT, TC_R_ACTIVE_OPEN, 1,
		      1);
	tc_check_side(cx, TC_CLIENT);
	tc_check_side(cx, TC_SERVER);
}

static void wrong_rule(struct tc_tracker *tr, struct tc_cx *cx)
{
	tc_first_state(cx, TC_CLIENT, TC_ST_CLOSED);
	/* active-open goes to SYN-SENT, not ESTABLISHED. */
	tc_transition(tr, cx, TC_CLIENT, TC_ST_ESTABLISHED, TC_R_ACTIVE_OPEN,
		      1, 1);
}

static void wrong_from(struct tc_tracker *tr, struct tc_cx *cx)
{
	tc_first_state(cx, TC_CLIENT, TC_ST_ESTABLISHED);
	/* active-open starts from CLOSED. */
	tc_transition(tr, cx, TC_CLIENT, TC_ST_SYN_SENT, TC_R_ACTIVE_OPEN, 1,
		      1);
}

static void no_such_rule(struct tc_tracker *tr, struct tc_cx *cx)
{
	tc_first_state(cx, TC_CLIENT, TC_ST_CLOSED);
	tc_transition(tr, cx, TC_CLIENT, TC_ST_SYN_SENT, 60000, 1, 1);
}

static void first_state_after_a_move(struct tc_tracker *tr, struct tc_cx *cx)
{
	open_client(tr, cx);
	tc_first_state(cx, TC_CLIENT, TC_ST_CLOSED);
}

static void listen_corrected(struct tc_tracker *tr, struct tc_cx *cx)
{
	(void)tr;
	tc_first_state(cx, TC_SERVER, TC_ST_LISTEN);
	tc_first_state(cx, TC_SERVER, TC_ST_CLOSED); /* it never listened */
	tc_check_side(cx, TC_SERVER);
}

static void listen_to_other(struct tc_tracker *tr, struct tc_cx *cx)
{
	(void)tr;
	tc_first_state(cx, TC_SERVER, TC_ST_LISTEN);
	tc_first_state(cx, TC_SERVER, TC_ST_ESTABLISHED);
}

static void syn_sent_without_syn(struct tc_tracker *tr, struct tc_cx *cx)
{
	tc_first_state(cx, TC_CLIENT, TC_ST_CLOSED);
	tc_transition(tr, cx, TC_CLIENT, TC_ST_SYN_SENT, TC_R_ACTIVE_OPEN, 1,
		      1);
	tc_check_side(cx, TC_CLIENT); /* syn_seen is 0 */
}

static void t_checks(void)
{
#ifdef NDEBUG
	printf("SKIP emit-checks: built with NDEBUG, no assertions\n");
	return;
#else
	CHECK_EQ(in_child(open_client), 0);
	CHECK_EQ(in_child(listen_corrected), 0);
	CHECK_EQ(in_child(wrong_rule), 1);
	CHECK_EQ(in_child(wrong_from), 1);
	CHECK_EQ(in_child(no_such_rule), 1);
	CHECK_EQ(in_child(first_state_after_a_move), 1);
	CHECK_EQ(in_child(listen_to_other), 1);
	CHECK_EQ(in_child(syn_sent_without_syn), 1);
#endif
}

static const struct unit_test tests[] = {
    UNIT(t_checks),
    { NULL, NULL },
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
