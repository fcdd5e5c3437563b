// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * When an empty poll enters the kernel (kick.h), driven by a clock of our
 * own.  Unnumbered TAP lines (run-tests.sh numbers nothing; it counts).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kick.h"

static int failed;

static void report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - kick: ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failed = 1;
}

/*
 * Poll an empty CQ every step_ns for span_ns with a ring prod that does
 * not move; kick whenever due.  Returns the number of kicks.
 */
static unsigned int run_empty(struct pcv_kick *k, bool backoff, uint32_t prod,
			      uint64_t *now, uint64_t step_ns, uint64_t span_ns)
{
	unsigned int kicks = 0;
	uint64_t end = *now + span_ns;

	for (; *now < end; *now += step_ns)
		if (pcv_kick_due(k, backoff, prod, *now)) {
			kicks++;
			pcv_kick_done(k, prod, *now);
		}
	return kicks;
}

int main(void)
{
	struct pcv_kick k;
	uint64_t now = 1000000;
	unsigned int n, waits;
	uint64_t last, gap, maxgap;

	/* A process without fast QPs: every empty poll kicks. */
	memset(&k, 0, sizeof(k));
	n = run_empty(&k, false, 7, &now, 500, 1000000);
	report(n == 2000, "no fast QPs: all 2000 empty polls of 1 ms kick (%u)", n);

	/* With fast QPs: the waits double from MIN to MAX, then stay. */
	memset(&k, 0, sizeof(k));
	waits = 0;
	last = now;
	maxgap = 0;
	for (uint64_t end = now + 10000000; now < end; now += 100)
		if (pcv_kick_due(&k, true, 7, now)) {
			gap = now - last;
			if (waits > 1 && gap > maxgap)
				maxgap = gap;
			last = now;
			waits++;
			pcv_kick_done(&k, 7, now);
		}
	report(waits > 10000000 / PCV_KICK_MAX_NS && waits < 10000000 / PCV_KICK_MAX_NS + 20,
	       "fast QPs: 10 ms of empty polls every 0.1 us kick %u times (MAX wait %u ns)",
	       waits, PCV_KICK_MAX_NS);
	report(maxgap >= PCV_KICK_MAX_NS && maxgap < PCV_KICK_MAX_NS + 200,
	       "no two kicks further apart than the MAX wait (+ one poll): %llu ns",
	       (unsigned long long)maxgap);
	report(k.wait == PCV_KICK_MAX_NS, "the wait stops at MAX (%u)", k.wait);

	/* The first empty kicks come quickly: the wait starts at MIN. */
	memset(&k, 0, sizeof(k));
	n = run_empty(&k, true, 7, &now, 100, 2 * PCV_KICK_MIN_NS);
	report(n == 2, "fast QPs: 2 kicks in the first 2 MIN waits (%u)", n);

	/* A CQE the kernel wrote (prod moved, e.g. its data work): at once. */
	memset(&k, 0, sizeof(k));
	run_empty(&k, true, 7, &now, 100, 1000000);
	report(!pcv_kick_due(&k, true, 7, now + 1), "backed off: not due 1 ns later");
	report(pcv_kick_due(&k, true, 8, now + 1) && k.wait == 0,
	       "prod moved since the last kick: due at once, wait back to 0");

	/* A kick that made CQEs: the next empty poll kicks at once. */
	memset(&k, 0, sizeof(k));
	run_empty(&k, true, 7, &now, 100, 1000000);
	pcv_kick_done(&k, 9, now);
	report(pcv_kick_due(&k, true, 9, now + 1) && k.prod == 9,
	       "a kick that wrote CQEs: the next empty poll kicks at once");

	/* A doorbell (pcv_kick_reset): the same. */
	memset(&k, 0, sizeof(k));
	run_empty(&k, true, 7, &now, 100, 1000000);
	pcv_kick_reset(&k);
	report(pcv_kick_due(&k, true, 7, now + 1), "after a doorbell the next empty poll kicks at once");

	/* Fast QPs gone again: every poll kicks, whatever the wait was. */
	memset(&k, 0, sizeof(k));
	run_empty(&k, true, 7, &now, 100, 1000000);
	report(pcv_kick_due(&k, false, 7, now + 1), "no fast QPs any more: due at once");

	/* prod wraps at 2^32 like the ring's: still a change. */
	memset(&k, 0, sizeof(k));
	k.prod = 0xffffffffu;
	pcv_kick_done(&k, 0xffffffffu, now);
	report(pcv_kick_due(&k, true, 0, now + 1), "a prod that wrapped to 0 counts as moved");
	return failed;
}
