/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels STT builds against (Debian's 6.1
 * and 6.12).  Every version test in the module lives here, so the rest of the
 * code is written once against the newest API.
 */
#ifndef _STT_COMPAT_H
#define _STT_COMPAT_H

#include <linux/version.h>

#endif /* _STT_COMPAT_H */
