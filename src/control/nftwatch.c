/* Watching the ns_monitor table: nf_tables events and reads via libnftnl. */
#include <errno.h>
#include <netinet/in.h>	/* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "binding.h"
#include "grow.h"
#include "ifname.h"
#include "nftctl.h"
#include "metrics.h"
#include "nftwatch.h"
#include "nlmsg.h"
#include "nlsock.h"

#define EVENT_BUF_SIZE 65536
#define EVENT_RCVBUF (4 * 1024 * 1024)	/* a firewall reload is a burst */

int nftwatch_open(struct nftwatch *w)
{
	memset(w, 0, sizeof(*w));
	if (nlsock_open(&w->events, NETLINK_NETFILTER,
			1u << (NFNLGRP_NFTABLES - 1), true) == -1)
		return -1;
	nlsock_set_rcvbuf(&w->events, EVENT_RCVBUF);
	if (nlsock_open(&w->query, NETLINK_NETFILTER, 0, false) == -1) {
		int saved = errno;

		nlsock_close(&w->events);
		errno = saved;
		return -1;
	}
	return 0;
}

void nftwatch_close(struct nftwatch *w)
{
	nlsock_close(&w->events);
	nlsock_close(&w->query);
}

int nftwatch_fd(const struct nftwatch *w)
{
	return nlsock_fd(&w->events);
}

static int table_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **table = data;

	/* Attribute 1 names the table in every object message we follow. */
	if (mnl_attr_get_type(attr) == 1 &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*table = attr;
	return MNL_CB_OK;
}

/*
 * Not through libnftnl's *_nlmsg_parse(): on an attribute of an unexpected
 * size they print "kernel ABI is broken" and call exit(1), and they strdup()
 * names without checking the NUL (both found by fuzz_nflog). Only the table
 * of the object matters here, and libmnl validates that much.
 */
enum nftwatch_event nftwatch_classify(const struct nlmsghdr *nlh)
{
	const struct nlattr *table = NULL;
	const struct nfgenmsg *nfg;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return NFTWATCH_OTHER;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWGEN:
		return NFTWATCH_COMMIT;
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		break;
	default:
		return NFTWATCH_OTHER;
	}
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return NFTWATCH_OTHER;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != NFPROTO_INET ||
	    mnl_attr_parse(nlh, sizeof(*nfg), table_attr_cb, &table) < 0 ||
	    !table)
		return NFTWATCH_OTHER;
	return strcmp(mnl_attr_get_str(table), NFT_TABLE) == 0 ? NFTWATCH_OURS :
								 NFTWATCH_OTHER;
}

bool nftwatch_read(struct nftwatch *w)
{
	static char buf[EVENT_BUF_SIZE];
	int fd = nlsock_fd(&w->events);
	bool committed = false;

	/* Bounded: a storm of events yields to the rest of the loop. */
	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		size_t left;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Lost events: assume the worst, re-read. */
				w->overruns++;
				w->touched = true;
				committed = true;
				continue;
			}
			break;	/* EAGAIN: drained */
		}
		left = (size_t)n;
		for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		     nlmsg_fits(nlh, left); nlh = nlmsg_after(nlh, &left)) {
			switch (nftwatch_classify(nlh)) {
			case NFTWATCH_OURS:
				w->touched = true;
				break;
			case NFTWATCH_COMMIT:
				if (w->touched)
					committed = true;
				w->touched = false;
				break;
			case NFTWATCH_OTHER:
				break;
			}
		}
	}
	return committed;
}

/* Send a request and run cb over every answer until the end. */
static int query(struct nftwatch *w, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	return nlsock_talk(&w->query, nlh, cb, data);
}

/* One element as nftnl gives it: pointers into its message. */
struct raw_elem {
	const void *key;
	const void *key_end;		/* NULL: none */
	uint32_t len, end_len;
	bool interval_end;		/* NFT_SET_ELEM_INTERVAL_END */
};

/*
 * The elements of a set as its dump brings them (a large set comes in
 * several messages), each copied by put into elems (of size bytes each,
 * zeroed before), decoded once complete. nomem: one did not fit.
 */
struct elems_dump {
	void (*put)(void *el, const struct raw_elem *r);
	size_t size;
	void *elems;
	unsigned int n;
	bool nomem;
};

static int elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct elems_dump *d = data;
	struct raw_elem r = { 0 };
	void *el;

	r.key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &r.len);
	if (!r.key || d->nomem)
		return 0;
	if (grow_room(&d->elems, d->n, d->size) == -1) {
		d->nomem = true;
		return 0;
	}
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END))
		r.key_end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END,
					       &r.end_len);
	if (!r.end_len)
		r.key_end = NULL;
	r.interval_end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			 (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			  NFT_SET_ELEM_INTERVAL_END);
	el = (char *)d->elems + (size_t)d->n++ * d->size;
	memset(el, 0, d->size);
	d->put(el, &r);
	return 0;
}

static int elems_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elems_dump *d = data;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) >= 0)
		nftnl_set_elem_foreach(s, elem_cb, d);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int set_key_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftwatch_ifset *info = data;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, s) >= 0) {
		info->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
		info->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		info->interval = nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
				 (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) &
				  NFT_SET_INTERVAL);
	}
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/*
 * Set name of our table: its key (into *key) first, then, when the key is
 * of type and len (else *wrong: its elements are not what we read), every
 * element into d. 0, or -1 with errno (ENOMEM: not all of them fit).
 */
static int read_set(struct nftwatch *w, const char *name, uint32_t type,
		    uint32_t len, struct nftwatch_ifset *key, bool *wrong,
		    struct elems_dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *s;
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	memset(key, 0, sizeof(*key));
	*wrong = false;
	s = nftnl_set_alloc();
	if (!s)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	/* The key first: an ipv6_addr set's elements are not names. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET,
				    NLM_F_ACK, nlsock_next_seq(&w->query));
	nftnl_set_nlmsg_build_payload(nlh, s);
	if (query(w, nlh, set_key_cb, key) == -1) {
		nftnl_set_free(s);
		return -1;
	}
	if (key->key_type != type || key->key_len != len) {
		nftnl_set_free(s);
		*wrong = true;
		return 0;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET,
				    NLM_F_DUMP, nlsock_next_seq(&w->query));
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (query(w, nlh, elems_msg_cb, d) == -1)
		return -1;
	if (d->nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void copy_key(uint8_t dst[IF_NAMESIZE], const void *src, uint32_t len)
{
	memcpy(dst, src, len < IF_NAMESIZE ? len : IF_NAMESIZE);
}

static void ifset_put(void *p, const struct raw_elem *r)
{
	struct ifset_elem *el = p;

	copy_key(el->key, r->key, r->len);
	/* The set's key length is 16 (checked before): longer cannot be. */
	el->len = r->len <= IF_NAMESIZE ? r->len : IF_NAMESIZE;
	if (r->key_end) {
		copy_key(el->key_end, r->key_end, r->end_len);
		el->end_len = r->end_len;
	}
	el->interval_end = r->interval_end;
}

const char *nftwatch_key_type_name(uint32_t type, char *buf, size_t size)
{
	/* nftables' datatype numbers (src/datatype.h), the common ones. */
	static const struct { uint32_t type; const char *name; } names[] = {
		{ 4, "integer" }, { 5, "string" }, { 6, "ll_addr" },
		{ 7, "ipv4_addr" }, { 8, "ipv6_addr" }, { 9, "ether_addr" },
		{ 12, "inet_proto" }, { 13, "inet_service" }, { 19, "mark" },
		{ 20, "iface_index" }, { NFTWATCH_TYPE_IFNAME, "ifname" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	/* Concatenations pack 6 bits per part. */
	if (type >= 64)
		snprintf(buf, size, "a concatenation (%u)", type);
	else
		snprintf(buf, size, "datatype %u", type);
	return buf;
}

int nftwatch_read_ifset_info(struct nftwatch *w, const char *name,
			     struct ifspec **specs, unsigned int *n,
			     struct nftwatch_ifset *info)
{
	struct elems_dump d = { ifset_put, sizeof(struct ifset_elem), NULL, 0,
				false };
	struct ifset_report rep;
	bool wrong;
	int rc;

	*n = 0;
	rc = read_set(w, name, NFTWATCH_TYPE_IFNAME, IF_NAMESIZE, info, &wrong,
		      &d);
	if (rc == 0 && wrong) {
		info->wrong_type = true;
		return 0;
	}
	memset(&rep, 0, sizeof(rep));
	if (rc == 0)
		rc = ifset_decode(d.elems, d.n, info->interval, specs, n, &rep);
	free(d.elems);
	info->invalid = rep.invalid;
	info->first_reason = rep.first_reason;
	memcpy(info->first_invalid, rep.first_invalid, sizeof(info->first_invalid));
	return rc;
}

static void copy_bind_key(uint8_t dst[BINDING_KEY_LEN], uint32_t *dst_len,
			  const void *src, uint32_t len)
{
	memcpy(dst, src, len < BINDING_KEY_LEN ? len : BINDING_KEY_LEN);
	/* Longer cannot be (the key length was checked): said as wrong. */
	*dst_len = len;
}

static void bindset_put(void *p, const struct raw_elem *r)
{
	struct bindset_elem *el = p;

	copy_bind_key(el->key, &el->len, r->key, r->len);
	if (r->key_end)
		copy_bind_key(el->key_end, &el->end_len, r->key_end,
			      r->end_len);
	el->interval_end = r->interval_end;
}

int nftwatch_read_bindings(struct nftwatch *w, const char *name,
			   struct engine_binding **b, unsigned int *n,
			   struct nftwatch_bindset *info)
{
	struct elems_dump d = { bindset_put, sizeof(struct bindset_elem), NULL,
				0, false };
	struct nftwatch_ifset key;
	bool wrong;
	int rc;

	memset(info, 0, sizeof(*info));
	*n = 0;
	rc = read_set(w, name, BINDING_KEY_TYPE, BINDING_KEY_LEN, &key, &wrong,
		      &d);
	info->key_type = key.key_type;
	info->key_len = key.key_len;
	if (rc == 0 && wrong) {
		info->wrong_type = true;
		return 0;
	}
	if (rc == 0)
		rc = bindset_decode(d.elems, d.n, b, n, &info->rep);
	free(d.elems);
	return rc;
}

struct table_info {
	uint64_t handle;
	uint32_t use;
};

static int table_info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table_info *info = data;
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, t) >= 0) {
		if (nftnl_table_is_set(t, NFTNL_TABLE_HANDLE))
			info->handle = nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE);
		if (nftnl_table_is_set(t, NFTNL_TABLE_USE))
			info->use = nftnl_table_get_u32(t, NFTNL_TABLE_USE);
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int read_table(struct nftwatch *w, struct table_info *info)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t;
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	memset(info, 0, sizeof(*info));
	t = nftnl_table_alloc();
	if (!t)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET,
				    NLM_F_ACK, nlsock_next_seq(&w->query));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return query(w, nlh, table_info_cb, info);
}

int nftwatch_table_handle(struct nftwatch *w, uint64_t *handle)
{
	struct table_info info;
	int rc = read_table(w, &info);

	*handle = info.handle;
	return rc;
}

int nftwatch_table_use(struct nftwatch *w, uint32_t *use)
{
	struct table_info info;
	int rc = read_table(w, &info);

	*use = info.use;
	return rc;
}

/* A GET for one object: 1 if the kernel has it, 0 if not, -1 on error. */
static int exists(struct nftwatch *w, struct nlmsghdr *nlh)
{
	if (query(w, nlh, NULL, NULL) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int nftwatch_chain_exists(struct nftwatch *w, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_chain *c;
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	c = nftnl_chain_alloc();
	if (!c)
		return -1;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET,
				    NLM_F_ACK, nlsock_next_seq(&w->query));
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return exists(w, nlh);
}

int nftwatch_set_exists(struct nftwatch *w, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *s;
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	s = nftnl_set_alloc();
	if (!s)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET,
				    NLM_F_ACK, nlsock_next_seq(&w->query));
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return exists(w, nlh);
}

struct logrule_ctx {
	uint16_t group;
	bool found;
};

static int logrule_expr_cb(struct nftnl_expr *e, void *data)
{
	struct logrule_ctx *ctx = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	/* Without a group, "log" goes to the kernel log, not to NFLOG. */
	if (name && strcmp(name, "log") == 0 &&
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) &&
	    nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP) == ctx->group)
		ctx->found = true;
	return 0;
}

/* Answers to our own dump: the kernel's, so libnftnl's parser is fine. */
static int logrule_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) >= 0)
		nftnl_expr_foreach(r, logrule_expr_cb, data);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int nftwatch_chain_logs_group(struct nftwatch *w, const char *chain,
			      uint16_t group)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct logrule_ctx ctx = { group, false };
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	r = nftnl_rule_alloc();
	if (!r)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET,
				    NLM_F_DUMP, nlsock_next_seq(&w->query));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	if (query(w, nlh, logrule_msg_cb, &ctx) == -1)
		return -1;
	return ctx.found ? 1 : 0;
}

struct duprule_ctx {
	char **texts;		/* each rule so far, counters left out */
	unsigned int n;
	int dups;
	bool oom;
};

struct rule_text {
	char *buf;
	size_t len, size;
};

static int rule_text_expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_text *t = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	int n;

	/* The same rule counts differently in each copy. */
	if (name && strcmp(name, "counter") == 0)
		return 0;
	n = snprintf(t->buf + t->len, t->size - t->len, "[%s ", name ? name : "?");
	if (n < 0 || (size_t)n >= t->size - t->len)
		return -1;
	t->len += (size_t)n;
	n = nftnl_expr_snprintf(t->buf + t->len, t->size - t->len, e,
				NFTNL_OUTPUT_DEFAULT, 0);
	if (n < 0 || (size_t)n + 2 >= t->size - t->len)
		return -1;
	t->len += (size_t)n;
	t->buf[t->len++] = ']';
	t->buf[t->len] = '\0';
	return 0;
}

static int duprule_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct duprule_ctx *ctx = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[4096] = "";
	struct rule_text t = { text, 0, sizeof(text) };
	char **grown;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    nftnl_expr_foreach(r, rule_text_expr_cb, &t) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;	/* too long to compare: not counted */
	}
	nftnl_rule_free(r);
	for (unsigned int i = 0; i < ctx->n; i++)
		if (strcmp(ctx->texts[i], text) == 0) {
			ctx->dups++;
			return MNL_CB_OK;
		}
	grown = reallocarray(ctx->texts, ctx->n + 1, sizeof(*grown));
	if (!grown || !(grown[ctx->n] = strdup(text))) {
		if (grown)
			ctx->texts = grown;
		ctx->oom = true;
		return MNL_CB_ERROR;
	}
	ctx->texts = grown;
	ctx->n++;
	return MNL_CB_OK;
}

int nftwatch_chain_duplicate_rules(struct nftwatch *w, const char *chain)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct duprule_ctx ctx = { NULL, 0, 0, false };
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	int rc;

	memset(buf, 0, sizeof(buf));	/* no stack bytes to the kernel */
	r = nftnl_rule_alloc();
	if (!r)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET,
				    NLM_F_DUMP, nlsock_next_seq(&w->query));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	rc = query(w, nlh, duprule_msg_cb, &ctx);
	for (unsigned int i = 0; i < ctx.n; i++)
		free(ctx.texts[i]);
	free(ctx.texts);
	if (ctx.oom)
		errno = ENOMEM;
	return rc == -1 || ctx.oom ? -1 : ctx.dups;
}

/* One sample of netlink_overruns_total, beside the other event socket's. */
void nftwatch_metrics(const struct nftwatch *w, struct metrics *m)
{
	metrics_family(m, "netlink_overruns_total", METRIC_COUNTER,
		       "Times a netlink event socket overflowed (state re-read).");
	metrics_sample(m, "netlink_overruns_total", w->overruns,
		       "socket=\"nftables\"");
}
