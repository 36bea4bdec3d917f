/*
 * libFuzzer target for the NFQUEUE parse: hold_process() (and through it
 * hold_parse_msg() and libnetfilter_queue's nfq_nlmsg_parse()) over one
 * receive buffer, an exact-size heap copy so ASan sees any overread. A
 * packet handed on must have an id; a packet's fields are read whole.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "hold.h"

static volatile uint8_t sink;

static void cb(enum hold_msg_kind kind, const struct hold_packet *p, void *data)
{
	(void)data;
	if (kind == HOLD_MSG_PACKET)
		CHECK(p->has_id);
	sink ^= (uint8_t)(p->id ^ p->mark ^ p->outdev ^ p->dst.s6_addr[15]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hold_stats st = { 0 };
	void *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	hold_process(buf, size, cb, NULL, &st);
	free(buf);
	return 0;
}
