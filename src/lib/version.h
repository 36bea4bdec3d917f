#ifndef NS_MONITOR_VERSION_H
#define NS_MONITOR_VERSION_H
/*
 * The version is the file VERSION's, and only there: the Makefile passes it
 * (-DNS_MONITOR_VERSION), and debian/changelog must say the same (debian/rules
 * refuses to build otherwise).
 */
#ifndef NS_MONITOR_VERSION
#error "NS_MONITOR_VERSION comes from the file VERSION: build with the Makefile"
#endif
#endif
