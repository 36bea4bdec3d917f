/* Walking a buffer of netlink messages safely. */
#ifndef NS_MONITOR_NLMSG_H
#define NS_MONITOR_NLMSG_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * libmnl 1.0.4's mnl_nlmsg_ok() compares nlmsg_len as a signed int, so a
 * length of 0x80000000 or more passes and mnl_nlmsg_next() then jumps far
 * outside the buffer (found by fuzz_nflog). This check is unsigned, and
 * also wants the padding inside the buffer: libmnl's attribute walk runs up
 * to the aligned length. The kernel always pads its messages.
 */
/* Not NLMSG_ALIGN(): its 32-bit mask wraps 0xffffffff to 0, a step of 0. */
static inline size_t nlmsg_aligned_len(const struct nlmsghdr *nlh)
{
	return ((size_t)nlh->nlmsg_len + 3) & ~(size_t)3;
}

static inline bool nlmsg_fits(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlmsg_aligned_len(nlh) <= left;
}

static inline const struct nlmsghdr *nlmsg_after(const struct nlmsghdr *nlh,
						 size_t *left)
{
	size_t step = nlmsg_aligned_len(nlh);

	if (step > *left)
		step = *left;
	*left -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

#endif
