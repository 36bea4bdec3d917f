/*
 * The hold chain's verdict where the kernel lacks nft's queue statement
 * (CONFIG_NFT_QUEUE unset): the same NFQUEUE, as the xtables target that
 * ip6tables-nft would use, run by nf_tables through nft_compat.
 */
#ifndef NS_MONITOR_HOLD_XT_H
#define NS_MONITOR_HOLD_XT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Append "NFQUEUE --queue-num G --queue-bypass" to chain hold_queue_G of
 * our table. 0, or -1 with the reason in err.
 */
int hold_xt_add(uint16_t group, char *err, size_t errlen);

#endif
