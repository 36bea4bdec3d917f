/*
 * Answers to our probes: the echo replies that come back on a slave. Such a
 * reply says the target answered there, even when the kernel's neighbor
 * entry was already usable and so changed state no more.
 */
#ifndef NS_MONITOR_ANSWER_H
#define NS_MONITOR_ANSWER_H

#include <netinet/in.h>
#include <stdint.h>

typedef void (*answer_cb)(unsigned int ifindex, const struct in6_addr *from,
			  void *data);

/* A raw ICMPv6 socket that reads echo replies only. -1 with errno. */
int answer_open(void);

/* Read what is pending; call cb for each reply with our identifier. */
void answer_read(int fd, uint16_t id, answer_cb cb, void *data);

#endif
