/* Least privilege through libcap-ng. */
#include <cap-ng.h>
#include <linux/capability.h>

#include "log.h"
#include "privs.h"

int privs_drop(const char *user, uid_t uid, gid_t gid)
{
	int rc;

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
	} else if (capng_apply(CAPNG_SELECT_BOTH) == -1) {
		log_warnx("capabilities: cannot drop them");
		return -1;
	}
	log_debug("running with CAP_NET_ADMIN and CAP_NET_RAW only%s%s",
		  user ? " as " : "", user ? user : "");
	return 0;
}
