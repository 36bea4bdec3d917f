/*
 * ns-monitor: wiring. Parse the command line, set up in a straight line
 * (engine, NFLOG intake, relay, learning, nftables), run one event loop,
 * undo everything in reverse.
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "answer.h"
#include "check.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "hostaddr.h"
#include "intake.h"
#include "intake_kernel.h"
#include "control.h"
#include "dispatch.h"
#include "fwdwatch.h"
#include "engine.h"
#include "engine_options.h"
#include "hold.h"
#include "learn.h"
#include "netmon.h"
#include "privs.h"
#include "nftctl.h"
#include "paths.h"
#include "slaves.h"
#include "sdnotify.h"
#include "stats.h"
#include "trace.h"
#include "version.h"

#define EXIT_SETUP 1
#define EXIT_USAGE 2

/*
 * Written by the user we run as, after the change of identity: it owns the
 * file (a sticky /tmp lets only the owner remove it at exit), and root
 * needs no CAP_DAC_OVERRIDE for a runtime directory already handed over.
 * Made anew: one left by a killed run may be another user's (root's, when
 * --user came later), which this user may remove but not write.
 */
static int write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * The launcher's side of --daemon: wait until the child says it is ready
 * (one byte down the pipe: pidfile written, event loop set up), so that
 * whoever started us sees the pidfile the moment we return. Until then a
 * SIGTERM or SIGINT for the launcher is passed on to the child, which
 * undoes its set-up; the launcher returns once it is gone. Never returns.
 * Under a service manager (Type=notify) the launcher is the main process
 * it knows: it says "ready" itself and names the child the main process,
 * whose notifications (the watchdog's, NotifyAccess=main) count from then.
 */
static void launcher_wait(pid_t child, int ready_fd, struct sdnotify *notify)
{
	sigset_t mask;
	struct pollfd pfd[2];
	bool forwarded = false;
	char byte;
	int status;

	/* Already blocked since start-up; pending ones are read here. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pfd[0].fd = ready_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, pfd[1].fd == -1 ? 1 : 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].fd != -1 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(pfd[1].fd, &si, sizeof(si)) == sizeof(si)) {
				kill(child, (int)si.ssi_signo);
				forwarded = true;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(ready_fd, &byte, 1);

			if (n == -1 && errno == EINTR)
				continue;
			if (n == 1 && !forwarded) {
				sigset_t pending;

				/* One that came with the byte counts too. */
				if (sigpending(&pending) == -1 ||
				    (!sigismember(&pending, SIGTERM) &&
				     !sigismember(&pending, SIGINT))) {
					char state[64];

					snprintf(state, sizeof(state),
						 "READY=1\nMAINPID=%ld", (long)child);
					sdnotify_send(notify, state);
					_exit(EXIT_SUCCESS);
				}
				continue;
			}
			break;	/* closed without the byte: it failed or stops */
		}
	}
	/* Stopped or failed: return only once its set-up is undone. */
	while (waitpid(child, &status, 0) == -1 && errno == EINTR)
		;
	_exit(EXIT_SETUP);
}

/*
 * Detach once set-up has succeeded, so its errors reach the terminal. The
 * child keeps the terminal until daemon_ready() too.
 */
static int daemonize(int *ready_fd, struct sdnotify *notify)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		log_warn("pipe");
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		log_warn("fork");
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid > 0) {
		close(pipefd[1]);
		launcher_wait(pid, pipefd[0], notify);
	}
	close(pipefd[0]);
	*ready_fd = pipefd[1];
	setsid();
	if (chdir("/") == -1)
		log_warn("chdir /");
	return 0;
}

/* Tell the launcher we are up, then leave the terminal for syslog. */
static void daemon_ready(int *ready_fd)
{
	int fd;

	if (*ready_fd == -1)
		return;
	log_to_syslog();
	fd = open("/dev/null", O_RDWR);
	if (fd != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (write(*ready_fd, "", 1) != 1)
		log_warn("telling the launcher we are ready");
	close(*ready_fd);
	*ready_fd = -1;
}

struct loop {
	struct intake intake;
	struct hostaddrs addrs;
	struct membership members;	/* control writes, the relay reads */
	struct fwdwatch fwd;		/* forward-hook drops, said */
	struct slaves slaves;
	struct learn learn;
	struct intake_kernel kernel;	/* rtnetlink events and dumps in */
	struct intake_checks checks;	/* the engine's questions to answer */
	struct engine *engine;
	struct dispatch egress;
	struct control control;
	struct netmon netmon;
	int answerfd;		/* echo replies to our probes (learning) */
	struct hold *holds;	/* --queue: one per group, cfg->groups' order */
	unsigned int nholds;
	struct answer_counters answers;
	int epfd;
	int sigfd;
	int timerfd;
	int nflogfd;		/* intake_fd(), opened once */
	uint64_t timer_armed;	/* deadline the timer is set to, 0: none */
	uint64_t stats_due;	/* next --stats-file write, 0: none */
	uint64_t onlink_gen;	/* --queue: onlink_G written for this */
	unsigned long onlink_restores;	/* ...and this many table restores */
	struct sdnotify notify;	/* the service manager (Type=notify) */
	uint64_t watchdog_due;	/* next "WATCHDOG=1", 0: no watchdog */
	const struct config *cfg;
	bool pidfile;		/* --daemon wrote it: removed at exit */
	bool stop;
};

/* Where the counters come from, for the stats file and SIGUSR1. */
static struct stats_sources sources(const struct loop *l)
{
	return (struct stats_sources){
		.slaves = &l->slaves,
		.intake = &l->intake,
		.learn = &l->learn,
		.engine = engine_counters(l->engine),
		.engine_state = l->engine,
		.answers = &l->answers,
		.netmon = &l->netmon,
		.nftwatch = &l->control.watch,
		.control = &l->control,
	};
}

static void write_stats(struct loop *l)
{
	static struct log_limit link_warn = LOG_LIMIT_INIT(600, 1);
	static struct log_limit ntable_warn = LOG_LIMIT_INIT(3600, 1);
	struct stats_sources src = sources(l);
	struct rtnl_neigh_table ntable;

	/* Once per write, never per packet: one dump of a few hundred bytes. */
	if (intake_kernel_neigh_table(&l->kernel, &ntable) == 0)
		src.neigh_table = &ntable;
	else
		log_warnx_limited(&ntable_warn,
				  "reading the neighbor table's size for %s: %s (its gauges are left out)",
				  l->cfg->stats_file, strerror(errno));
	if (stats_write_file(l->cfg->stats_file, l->cfg->stats_follow_link,
			     &src) == 0)
		return;
	if (errno == ELOOP && !l->cfg->stats_follow_link)
		log_warnx_limited(&link_warn,
				  "%s is a symbolic link now: not writing through it (remove the link; or, if it is trusted, run with --stats-follow-link)",
				  l->cfg->stats_file);
	else
		log_warn("writing %s", l->cfg->stats_file);
}

static void log_stats(struct loop *l)
{
	struct stats_sources src = sources(l);

	stats_log(&src);
}

static void on_netmon(const struct netmon_event *ev, void *data)
{
	struct loop *l = data;
	uint64_t now = monotonic_ns();

	switch (ev->kind) {
	case NETMON_LINK:
		slaves_on_link(&l->slaves, ev, now);
		intake_kernel_link(&l->kernel, ev);
		break;
	case NETMON_ADDR:
		slaves_on_addr(&l->slaves, ev);
		if (intake_kernel_addr(&l->kernel, ev))
			fwdwatch_addr(&l->fwd, ev->ifindex, &ev->addr.addr);
		break;
	case NETMON_NEIGH:
		intake_kernel_neigh(&l->kernel, ev, now);
		break;
	case NETMON_ROUTE:
		intake_kernel_route(&l->kernel, ev, now);
		break;
	case NETMON_NETCONF:
		intake_kernel_netconf(&l->kernel, ev);
		break;
	case NETMON_NONE:
		break;
	}
}

/* Route events lost in an overrun: compare the learned routes whole. */
static void read_netmon(struct loop *l)
{
	if (netmon_read(&l->netmon))
		intake_kernel_reconcile(&l->kernel, monotonic_ns());
}

/*
 * One timer, set to the earliest pending deadline: the engine's (asks
 * waiting for the rate, hold-downs ending, learned targets asked again),
 * the next stats file, a backed-off reload of --rules, or the service
 * manager's watchdog (only when it asked for one). Nothing else wakes us
 * when idle.
 */
static void arm_timer(struct loop *l)
{
	uint64_t next = engine_next_deadline(l->engine);
	uint64_t reload = control_next_deadline(&l->control);
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (reload && (!next || reload < next))
		next = reload;

	if (l->stats_due && (!next || l->stats_due < next))
		next = l->stats_due;
	if (l->watchdog_due && (!next || l->watchdog_due < next))
		next = l->watchdog_due;
	/*
	 * An earlier deadline armed stays: it fires, finds nothing due, and
	 * arms the next. One syscall less on each turn of the loop, most of
	 * which only push the engine's next deadline later.
	 */
	if (next == l->timer_armed ||
	    (l->timer_armed && (!next || l->timer_armed < next)))
		return;
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		log_warn("timerfd_settime");
	l->timer_armed = next;
}

static void on_timer(struct loop *l)
{
	uint64_t expirations, slots;

	if (read(l->timerfd, &expirations, sizeof(expirations)) == -1 &&
	    errno != EAGAIN)
		log_warn("timerfd read");
	uint64_t now = monotonic_ns();

	l->timer_armed = 0;
	slots = engine_counters(l->engine)->record_slots;
	engine_tick(l->engine, now);
	/*
	 * The engine gave back a flood's records: return the memory to the
	 * system too (glibc keeps freed heap for reuse otherwise).
	 */
	if (engine_counters(l->engine)->record_slots < slots)
		malloc_trim(0);
	control_on_timer(&l->control, now);
	if (l->stats_due && l->stats_due <= now) {
		write_stats(l);
		l->stats_due = now + (uint64_t)l->cfg->stats_interval * 1000000000ull;
	}
	/* From the loop itself: a loop that hangs stops the heartbeat. */
	if (l->watchdog_due && l->watchdog_due <= now) {
		sdnotify_send(&l->notify, "WATCHDOG=1");
		l->watchdog_due = now + sdnotify_watchdog_interval_ns(&l->notify);
	}
}

static void on_answer(unsigned int ifindex, const struct in6_addr *from,
		      enum answer_kind kind, const uint8_t *mac, void *data)
{
	struct loop *l = data;
	uint64_t now = monotonic_ns();

	/* An echo reply from target, or an NA for it: it lives there. */
	(void)kind;
	engine_answer(l->engine, ifindex, from, mac, now);
	/* Its masters checked now: taken before the next answer is read. */
	intake_kernel_checks(&l->kernel, now);
}

/*
 * A guest with the /64 on-link, on a veth: our NA has its packet
 * forwarded inside the send, so the target's NS for the guest (the way
 * back) is queued on NFLOG when the send returns, and the guest answers
 * the ask that NS makes inside that send too. Both are read at once, not
 * after more turns of the loop; only after an NA to a guest (told: the
 * count before this turn), so the host's own NS cost no extra read.
 * true when the answers were read.
 */
static bool follow_guest(struct loop *l, unsigned long told)
{
	unsigned long asked;

	if (slaves_told(&l->slaves) == told)
		return false;
	asked = slaves_asked(&l->slaves);
	intake_drain(&l->intake);
	if (l->answerfd == -1 || slaves_asked(&l->slaves) == asked)
		return false;
	answer_read(l->answerfd, slaves_echo_id(&l->slaves), on_answer, l,
		    &l->answers);
	return true;
}

static void handle_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: exiting", si.ssi_signo);
			l->stop = true;
			break;
		case SIGUSR1:
			log_stats(l);
			break;
		case SIGHUP:
			log_info("SIGHUP: reading the nftables sets, the interfaces and the learned routes again");
			control_reconcile(&l->control);
			if (netmon_dump(&l->netmon) == -1)
				log_warn("rtnetlink dump");
			intake_kernel_reconcile(&l->kernel, monotonic_ns());
			break;
		}
	}
}

struct held_ctx {
	struct loop *l;
	uint16_t group;
};

static void on_held(uint32_t packet_id, const struct in6_addr *dst,
		    unsigned int outdev, void *data)
{
	struct held_ctx *c = data;

	engine_held(c->l->engine, c->group, outdev, dst, packet_id,
		    monotonic_ns());
}

static void read_holds(struct loop *l, int fd)
{
	for (unsigned int i = 0; i < l->nholds; i++) {
		struct held_ctx c = { l, l->cfg->groups[i] };

		if (hold_fd(&l->holds[i]) == fd)
			hold_read(&l->holds[i], on_held, &c);
	}
}

/*
 * --queue: bind NFQUEUE G for each group G, into l->holds (made before
 * the egress, which releases the packets). -1 (logged) on failure.
 */
static int holds_open(struct loop *l)
{
	const struct config *cfg = l->cfg;

	for (; l->nholds < cfg->ngroups; l->nholds++)
		if (hold_open(&l->holds[l->nholds], cfg->groups[l->nholds],
			      cfg->queue_max) == -1)
			return -1;
	return 0;
}

static void holds_close(struct loop *l)
{
	for (unsigned int i = 0; i < l->nholds; i++)
		hold_close(&l->holds[i]);
	l->nholds = 0;
}

/*
 * --queue: onlink_G holds the masters' on-link prefixes, so that only a
 * packet for one of those waits. Written when routes or masters changed,
 * and after the table was put back (made anew, empty).
 */
static void sync_onlink(struct loop *l)
{
	static struct log_limit fail_limit = LOG_LIMIT_INIT(600, 1);
	uint64_t gen = engine_onlink_gen(l->engine);

	unsigned long made = control_onlink_made(&l->control);

	if (!l->cfg->queue || (gen == l->onlink_gen && made == l->onlink_restores))
		return;
	l->onlink_gen = gen;
	l->onlink_restores = made;
	for (unsigned int i = 0; i < l->cfg->ngroups; i++) {
		uint16_t group = l->cfg->groups[i];
		struct engine_route *v;
		char err[256];
		size_t n;

		if (engine_onlink_routes(l->engine, group, &v, &n) == -1) {
			log_warn("group %u: listing the masters' prefixes", group);
			continue;
		}
		if (nftctl_set_onlink(group, v, n, err, sizeof(err)) == -1)
			log_warnx_limited(&fail_limit,
					  "group %u: writing set onlink_%u: %s (--queue then holds nothing)",
					  group, group, err);
		free(v);
	}
}

/*
 * Routes the kernel refused, to the engine (read from their acks, in
 * the loop or when an action made room for more requests); and when
 * outcomes were lost, the learned routes read again. Bounded: what the
 * engine does about one (a route removed) brings no new refusal to
 * report, a reconcile at most a few.
 */
static void route_outcomes(struct loop *l)
{
	struct learn_failure f;

	for (int round = 0; round < 4; round++) {
		bool any = false;

		while (learn_next_failure(&l->learn, &f)) {
			any = true;
			engine_route_failed(l->engine, f.group, &f.target,
					    f.slave, monotonic_ns());
		}
		if (learn_resync(&l->learn)) {
			any = true;
			intake_kernel_reconcile(&l->kernel, monotonic_ns());
		}
		if (!any)
			return;
	}
}

static int loop_run(struct loop *l)
{
	struct epoll_event ev[8];

	while (!l->stop) {
		/* With asks kept for idle time: a look first, no sleep. */
		int n = epoll_wait(l->epfd, ev, 8,
				   dispatch_idle_work(&l->egress) ? 0 : -1);

		if (n == 0) {
			dispatch_idle(&l->egress);
			continue;
		}
		TRACE("wake");
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			return -1;
		}
		unsigned long told = slaves_told(&l->slaves);
		bool answers_read;

		/* The NS first: nothing else before their asks leave. */
		for (int i = 0; i < n; i++)
			if (ev[i].data.fd == l->nflogfd)
				intake_drain(&l->intake);
		answers_read = follow_guest(l, told);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == l->nflogfd ||
			    (ev[i].data.fd == l->answerfd && answers_read))
				continue;
			if (ev[i].data.fd == l->sigfd)
				handle_signal(l);
			else if (ev[i].data.fd == control_fd(&l->control))
				control_on_event(&l->control);
			else if (ev[i].data.fd == netmon_fd(&l->netmon))
				read_netmon(l);
			else if (ev[i].data.fd == learn_fd(&l->learn)) {
				learn_read_acks(&l->learn);
				route_outcomes(l);	/* before other events act */
			}
			else if (ev[i].data.fd == l->timerfd)
				on_timer(l);
			else if (ev[i].data.fd == l->answerfd)
				answer_read(l->answerfd, slaves_echo_id(&l->slaves),
					    on_answer, l, &l->answers);
			else
				read_holds(l, ev[i].data.fd);
		}
		learn_take_acks(&l->learn);
		route_outcomes(l);
		/* Any question the engine asked: answered before we sleep. */
		intake_kernel_checks(&l->kernel, monotonic_ns());
		sync_onlink(l);
		arm_timer(l);
		dispatch_overdue(&l->egress, monotonic_ns());
	}
	return 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * The command line and the checks that need no set-up: -1 when the daemon
 * is to start (cfg, uid and gid filled in), else the exit code (help,
 * version, a usage error, --check, a path that cannot be used).
 */
static int prepare(int argc, char **argv, struct config *cfgp,
		   struct config *cfg, uid_t *uid, gid_t *gid)
{
	char err[256];
	const char *mesh;
	/* A copy whose lists cfgp owns: main() frees them at any return. */
	enum cli_result parsed = cli_parse(argc, argv, cfgp, err, sizeof(err));

	*cfg = *cfgp;
	switch (parsed) {
	case CLI_HELP:
		cli_usage(stdout);
		return 0;
	case CLI_VERSION:
		printf("ns-monitor %s\n", NS_MONITOR_VERSION);
		return 0;
	case CLI_ERROR:
		cli_error(stderr, err);
		return EXIT_USAGE;
	case CLI_RUN:
		break;
	}
	if (cfg->stats_file && stats_check_path(cfg->stats_file, cfg->stats_follow_link,
						err, sizeof(err)) == -1) {
		cli_error(stderr, err);
		return EXIT_USAGE;
	}
	if (cfg->user) {
		struct passwd *pw = getpwnam(cfg->user);

		if (!pw) {
			snprintf(err, sizeof(err), "no such user '%s'", cfg->user);
			cli_error(stderr, err);
			return EXIT_USAGE;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else {
		*gid = getegid();
	}
	log_init(false, cfg->verbose);
	/* What the start checks, as the user it runs as: the same verdict. */
	if (cfg->check)
		return check_run(cfg, *uid, *gid, stdout) ? EXIT_SETUP : EXIT_SUCCESS;
	/* The system, not the command line: a set-up failure, no usage. */
	if (paths_check(cfg, *uid, *gid, !cfg->user, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_SETUP;
	}
	if (cfg->standalone && config_slave_is_master(cfg, &mesh))
		log_info("%s is both master and slave (a mesh): its NS go to the other slaves, never back out of it",
			 mesh);
	return -1;
}

/* How far open_parts() got: close_parts() undoes that much. */
enum stage {
	STAGE_NONE,
	STAGE_ENGINE,		/* the engine (and the egress it calls) */
	STAGE_INTAKE,		/* the NFLOG groups bound */
	STAGE_RELAY,		/* egress rules, slaves' sockets and routes */
	STAGE_LEARN,		/* learning, kernel intake, --queue's holds */
	STAGE_NETMON,		/* rtnetlink events, the answers' socket */
	STAGE_CONTROL,		/* nftables objects; the event loop's fds */
};

/*
 * The parts in order, each given what it depends on: the engine with its
 * egress (memory only: nothing in the system is touched yet), the intake
 * (a second instance stops there, touching nothing), the relay, learning
 * and the kernel's intake, the event sockets, control; then what the
 * kernel knows already is handed to the engine. -1 (logged) on failure,
 * *st says how far it got.
 */
static int open_parts(struct loop *l, struct config *cfg, uid_t uid,
		      gid_t gid, enum stage *st)
{
	struct engine_options eopts;
	struct engine_egress eg;
	struct slaves_events events;
	struct control_events control_ev;
	char err[256];

	engine_options_from_config(&eopts, cfg);
	if (cfg->queue && !(l->holds = calloc(cfg->ngroups, sizeof(*l->holds)))) {
		log_warn("--queue");
		return -1;
	}
	dispatch_init(&l->egress, &l->slaves, &l->learn, cfg, l->holds,
		      &l->addrs, &l->checks, &l->fwd);
	dispatch_make(&eg, &l->egress);
	l->engine = engine_init(&eopts, &eg, monotonic_ns());
	if (!l->engine) {
		log_warn("resolution engine");
		free(l->holds);
		l->holds = NULL;
		return -1;
	}
	*st = STAGE_ENGINE;
	if (engine_targets_from_config(l->engine, cfg) == -1) {
		log_warn("--targets");
		return -1;
	}
	/* Before --daemon's fork: WATCHDOG_PID names the process started. */
	sdnotify_init(&l->notify);
	/* Binding first: a second instance stops here, touching nothing. */
	if (intake_open(&l->intake, cfg, l->engine, &l->kernel) == -1)
		return -1;
	*st = STAGE_INTAKE;
	/* For the pidfile and the state files, before we stop being root. */
	if ((cfg->daemonize || cfg->proxy_ndp) &&
	    runtime_dir_make(uid, gid, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	events = intake_kernel_slaves_events(l->engine);
	control_ev = intake_kernel_control_events(l->engine);
	if (membership_init(&l->members, cfg->groups, cfg->ngroups,
			    cfg->masters, cfg->nmasters, cfg->slaves,
			    cfg->nslaves) == -1) {
		log_warn("group membership");
		return -1;
	}
	if (fwdwatch_init(&l->fwd, cfg, &l->members) == -1) {
		log_warn("forward-hook watch");
		return -1;
	}
	if (slaves_init(&l->slaves, cfg, &l->members, &events,
			monotonic_ns()) == -1) {
		log_warnx("could not set up probing; nothing was left behind");
		return -1;
	}
	*st = STAGE_RELAY;
	if (learn_init(&l->learn, cfg) == -1)
		return -1;
	*st = STAGE_LEARN;
	if (intake_kernel_open(&l->kernel, cfg, l->engine, &l->addrs,
			       &l->checks) == -1)
		return -1;
	if (cfg->queue && holds_open(l) == -1)
		return -1;
	if (netmon_open(&l->netmon, cfg->learn_routes, on_netmon, l) == -1) {
		log_warn("rtnetlink event socket");
		return -1;
	}
	*st = STAGE_NETMON;
	/* Answers to our asks, with or without learning: they say where. */
	if (!cfg->dry_run) {
		l->answerfd = answer_open(cfg->link_local);
		if (l->answerfd == -1) {
			log_warn("socket for the answers to our asks");
			return -1;
		}
	}
	if (control_init(&l->control, cfg, &l->members, &l->slaves,
			 &control_ev) == -1)
		return -1;
	*st = STAGE_CONTROL;
	/* Slaves are known now: learn their links, addresses, neighbors. */
	if (netmon_dump(&l->netmon) == -1) {
		log_warn("rtnetlink dump");
		return -1;
	}
	/* What the kernel knows already, so a restart costs no first contact. */
	intake_kernel_adopt(&l->kernel, monotonic_ns());
	return 0;
}

/*
 * Detach (--daemon), then the event loop's descriptors, then the drop to
 * the user we run as, then the pidfile. -1 (logged) on failure.
 */
static int open_loop(struct loop *l, const struct config *cfg, uid_t uid,
		     gid_t gid, const sigset_t *mask, int *ready_fd)
{
	/*
	 * Detach before making the signalfd and the epoll set: a signalfd
	 * added to epoll wakes only the process that added it, so one made
	 * before fork() would never wake the child.
	 */
	if (cfg->daemonize && daemonize(ready_fd, &l->notify) == -1)
		return -1;
	l->sigfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	l->nflogfd = intake_fd(&l->intake);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd == -1 || l->timerfd == -1 || l->epfd == -1 ||
	    epoll_add(l->epfd, l->sigfd) == -1 ||
	    epoll_add(l->epfd, l->timerfd) == -1 ||
	    epoll_add(l->epfd, l->nflogfd) == -1 ||
	    epoll_add(l->epfd, netmon_fd(&l->netmon)) == -1 ||
	    epoll_add(l->epfd, learn_fd(&l->learn)) == -1 ||
	    epoll_add(l->epfd, control_fd(&l->control)) == -1 ||
	    (l->answerfd != -1 && epoll_add(l->epfd, l->answerfd) == -1)) {
		log_warn("event loop set-up");
		return -1;
	}
	for (unsigned int i = 0; i < l->nholds; i++)
		if (epoll_add(l->epfd, hold_fd(&l->holds[i])) == -1) {
			log_warn("event loop set-up");
			return -1;
		}
	if (privs_drop(cfg->user, uid, gid) == -1)
		return -1;
	if (cfg->daemonize) {
		if (write_pidfile(cfg->pidfile) == -1) {
			log_warn("pidfile %s", cfg->pidfile);
			return -1;
		}
		l->pidfile = true;
	}
	return 0;
}

/* Ready: said to whoever waits, then the loop until a signal stops it. */
static int serve(struct loop *l, const struct config *cfg, int *ready_fd)
{
	int rc;

	if (cfg->stats_file) {
		write_stats(l);
		l->stats_due = monotonic_ns() +
			(uint64_t)cfg->stats_interval * 1000000000ull;
		arm_timer(l);
	}

	daemon_ready(ready_fd);
	/* With --daemon the launcher said it, naming us (launcher_wait()). */
	if (!cfg->daemonize)
		sdnotify_send(&l->notify, "READY=1");
	if (sdnotify_watchdog_interval_ns(&l->notify)) {
		l->watchdog_due = monotonic_ns() +
			sdnotify_watchdog_interval_ns(&l->notify);
		arm_timer(l);
	}
	slaves_log_start(&l->slaves);
	control_log_start(&l->control);
	fwdwatch_start(&l->fwd);
	if (cfg->standalone)
		/* The names and patterns given; the group's line counts interfaces. */
		log_info("relaying NS from %u master name(s) or pattern(s) to %u slave name(s) or pattern(s), NFLOG group %u%s",
			 cfg->nmasters, cfg->nslaves, cfg->groups[0],
			 cfg->dry_run ? " (dry run)" : "");
	else
		log_info("relaying NS for %u group(s) from the sets of table inet " NFT_TABLE "%s",
			 cfg->ngroups, cfg->dry_run ? " (dry run)" : "");
	sync_onlink(l);
	rc = loop_run(l) == 0 ? EXIT_SUCCESS : EXIT_SETUP;
	sdnotify_send(&l->notify, "STOPPING=1");
	/* Before the summary, so that it counts what the exit removes. */
	learn_withdraw(&l->learn);
	log_stats(l);
	if (cfg->stats_file)
		write_stats(l);
	return rc;
}

/* Undo open_parts() and open_loop(), as far as st, in reverse. */
static void close_parts(struct loop *l, const struct config *cfg,
			enum stage st)
{
	if (st >= STAGE_CONTROL) {
		/* Its directory is writable by the user we run as (paths_check). */
		if (l->pidfile && unlink(cfg->pidfile) == -1)
			log_warn("removing %s", cfg->pidfile);
		if (l->epfd != -1)
			close(l->epfd);
		if (l->sigfd != -1)
			close(l->sigfd);
		if (l->timerfd != -1)
			close(l->timerfd);
		control_fini(&l->control);
	}
	if (st >= STAGE_NETMON) {
		if (l->answerfd != -1)
			close(l->answerfd);
		netmon_close(&l->netmon);
	}
	if (st >= STAGE_LEARN) {
		/* Held packets go on: a queue closed under them would drop them. */
		if (l->nholds)
			engine_release_held(l->engine);
		holds_close(l);
		/* What was learned is purged as a whole, not forgotten one by one. */
		intake_kernel_close(&l->kernel);
		learn_fini(&l->learn);
	}
	if (st >= STAGE_RELAY)
		slaves_fini(&l->slaves);
	if (st >= STAGE_INTAKE)
		intake_close(&l->intake);
	if (st >= STAGE_ENGINE) {
		engine_free(l->engine);
		intake_checks_free(&l->checks);
		fwdwatch_free(&l->fwd);
		membership_fini(&l->members);
		free(l->holds);
		hostaddr_free(&l->addrs);
		sdnotify_close(&l->notify);
	}
}

/* Everything but the command line's memory, freed by main(). */
static int run(int argc, char **argv, struct config *cfgp)
{
	struct config cfg;
	static struct loop l = { .epfd = -1, .sigfd = -1, .timerfd = -1,
				 .nflogfd = -1, .answerfd = -1,
				 .notify = { .fd = -1 } };
	enum stage st = STAGE_NONE;
	sigset_t mask;
	uid_t uid = 0;
	gid_t gid = 0;
	int ready_fd = -1;
	int rc = prepare(argc, argv, cfgp, &cfg, &uid, &gid);

	if (rc != -1)
		return rc;
	l.cfg = &cfg;
	TRACE_START(getenv("NS_MONITOR_TRACE"));

	/* Signals arrive through the event loop, never asynchronously. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = EXIT_SETUP;
	if (open_parts(&l, &cfg, uid, gid, &st) == 0 &&
	    open_loop(&l, &cfg, uid, gid, &mask, &ready_fd) == 0)
		rc = serve(&l, &cfg, &ready_fd);
	close_parts(&l, &cfg, st);
	l.cfg = NULL;		/* cfg is ours, on this stack */
	TRACE_END();
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = run(argc, argv, &cfg);
	config_free(&cfg);
	return rc;
}
