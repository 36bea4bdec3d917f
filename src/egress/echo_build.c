/* Echo request builder and reply matcher: pure, so they are unit tested. */
#include <string.h>

#include "echo.h"

#define ICMP6_ECHO_REQUEST_TYPE 128
#define ICMP6_ECHO_REPLY_TYPE 129

size_t echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq)
{
	if (size < PROBE_ECHO_LEN)
		return 0;
	buf[0] = ICMP6_ECHO_REQUEST_TYPE;
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 0;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	return PROBE_ECHO_LEN;
}

bool echo_is_reply(const uint8_t *buf, size_t len, uint16_t id)
{
	return len >= PROBE_ECHO_LEN && buf[0] == ICMP6_ECHO_REPLY_TYPE &&
	       buf[1] == 0 && buf[4] == (uint8_t)(id >> 8) &&
	       buf[5] == (uint8_t)id;
}
