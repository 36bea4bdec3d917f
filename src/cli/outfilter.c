/* Would an output-hook chain drop our echo requests? (pure; outfilter.h) */
#include <stdio.h>
#include <string.h>

#include "outfilter.h"

enum outfilter_verdict outfilter_judge(const struct outfilter_chain *c,
				       uint32_t mark, char *why, size_t whylen)
{
	for (size_t i = 0; i < c->nrules; i++) {
		const struct outfilter_rule *r = &c->rules[i];

		/* Another group's mark lets this one's packets go on. */
		if (r->action == OUTFILTER_ACCEPT && r->matches_mark &&
		    (!r->mark_exact || r->mark == mark))
			return OUTFILTER_ALLOWED;
		if (r->action == OUTFILTER_DROP && r->unconditional) {
			snprintf(why, whylen,
				 "its rule %zu drops or rejects every packet that comes to it",
				 i + 1);
			return OUTFILTER_DROPS;
		}
	}
	if (c->policy_drop) {
		snprintf(why, whylen, "it has policy drop");
		return OUTFILTER_DROPS;
	}
	return OUTFILTER_PASSES;
}

int outfilter_accept_rule(char *buf, size_t size, uint32_t fwmark_base,
			  const uint16_t *groups, unsigned int ngroups)
{
	size_t len;

	if (ngroups == 1)
		return snprintf(buf, size, "meta mark 0x%08x accept",
				fwmark_base + groups[0]);
	len = (size_t)snprintf(buf, size, "meta mark {");
	for (unsigned int i = 0; i < ngroups && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s0x%08x",
					i ? ", " : " ", fwmark_base + groups[i]);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, " } accept");
	return (int)len;
}
