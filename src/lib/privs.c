/* Least privilege through libcap-ng. */
#include <cap-ng.h>
#include <stdbool.h>
#include <linux/capability.h>

#include "log.h"
#include "privs.h"

int privs_drop(const char *user, uid_t uid, gid_t gid)
{
	bool bounding_too;
	int rc;

	/*
	 * Shrinking the bounding set takes CAP_SETPCAP. Under systemd's
	 * CapabilityBoundingSet= it is already these two and SETPCAP is gone:
	 * then leave it as it is rather than fail.
	 */
	capng_get_caps_process();
	bounding_too = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
			  CAPNG_BOUNDING_SET, CAP_NET_ADMIN, CAP_NET_RAW, -1) == -1) {
		log_warnx("capabilities: cannot prepare the set");
		return -1;
	}
	if (user) {
		/* Keeps the two capabilities across the change of identity. */
		rc = capng_change_id((int)uid, (int)gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (rc != 0) {
			log_warnx("switching to user %s failed (libcap-ng error %d)",
				  user, rc);
			return -1;
		}
	} else if (capng_apply(bounding_too ? CAPNG_SELECT_BOTH :
					      CAPNG_SELECT_CAPS) != 0) {
		log_warnx("capabilities: cannot drop them");
		return -1;
	}
	log_debug("running with CAP_NET_ADMIN and CAP_NET_RAW only%s%s",
		  user ? " as " : "", user ? user : "");
	return 0;
}
